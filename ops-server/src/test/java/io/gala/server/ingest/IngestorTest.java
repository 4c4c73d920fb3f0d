package io.gala.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IngestorTest {
  static final long NOW = 1_760_000_000_000L;
  static final String M = "uuid-10.0.0.1";

  final List<IngestedRecord> delivered = new ArrayList<>();
  final Ingestor ingestor =
      new Ingestor(List.of((b, t) -> delivered.addAll(b.records())), () -> NOW);

  static IngestedRecord record(String machineId, String table, long t) {
    return IngestedRecord.of(
        machineId,
        table,
        "proc",
        t,
        Map.of("tgid", "1"),
        Map.of("comm", "init"),
        Map.of("cpu_util", 0.5));
  }

  static IngestedBatch batch(long start, long seq, IngestedRecord... records) {
    return new IngestedBatch(M, start, seq, List.of(records));
  }

  @Test
  void garbageRecordsAreRejectedAndCountedWhileTheRestOfTheBatchIsKept() {
    IngestedRecord good = record(M, "system_proc", NOW);
    ingestor.accept(
        batch(
            1,
            IngestedBatch.NO_SEQUENCE,
            good,
            record(M, "bad table!", NOW),
            record(M, "system_proc", 0),
            record(M, "system_proc", NOW + 3_600_000),
            record("other-machine", "system_proc", NOW),
            IngestedRecord.of(
                M,
                "system_proc",
                "proc",
                NOW,
                Map.of("tgid", "1"),
                Map.of(),
                Map.of("cpu_util", Double.POSITIVE_INFINITY)),
            IngestedRecord.of(
                M,
                "system_proc",
                "proc",
                NOW,
                Map.of("tgid", "x".repeat(5000)),
                Map.of(),
                Map.of()),
            new IngestedRecord(
                M,
                "hist",
                "proc",
                NOW,
                Map.of(),
                Map.of(),
                Map.of(),
                Map.of(
                    "lat", new IngestedHistogram(new double[] {2, 1}, new long[] {1, 1}, 1, 2)))));

    assertThat(delivered).containsExactly(good);
    assertThat(ingestor.stats().records()).isEqualTo(1);
    assertThat(ingestor.stats().rejected())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "bad_entity",
                1L,
                "bad_timestamp",
                2L,
                "machine_id_mismatch",
                1L,
                "bad_value",
                1L,
                "bad_field",
                1L,
                "bad_histogram",
                1L));
  }

  @Test
  void aBatchWithAnInvalidMachineIdIsRejectedWhole() {
    ingestor.accept(new IngestedBatch("bad id\n", 1, 1, List.of(record("bad id\n", "t", NOW))));
    ingestor.undecodable("gala_gopher/0@12", "truncated protobuf");

    assertThat(delivered).isEmpty();
    assertThat(ingestor.stats().rejected())
        .containsEntry("bad_machine_id", 1L)
        .containsEntry("undecodable", 1L);
    assertThat(ingestor.agents()).isEmpty();
  }

  @Test
  void duplicateBatchesAreDroppedAndGapsCounted() {
    ingestor.accept(batch(1, 1, record(M, "a", NOW)));
    ingestor.accept(batch(1, 2, record(M, "b", NOW)));
    ingestor.accept(batch(1, 2, record(M, "b", NOW)));
    ingestor.accept(batch(1, 1, record(M, "a", NOW)));
    ingestor.accept(batch(1, 6, record(M, "f", NOW)));

    assertThat(delivered).extracting(IngestedRecord::table).containsExactly("a", "b", "f");
    assertThat(ingestor.stats().duplicates()).isEqualTo(2);
    assertThat(ingestor.stats().gaps()).isEqualTo(3);
  }

  @Test
  void aRestartedAgentStartsANewSequenceAndItsOldRunIsStale() {
    ingestor.accept(batch(1, 50, record(M, "a", NOW)));
    ingestor.accept(batch(2, 0, record(M, "b", NOW)));
    ingestor.accept(batch(2, 1, record(M, "c", NOW)));
    ingestor.accept(batch(1, 51, record(M, "late", NOW)));

    assertThat(delivered).extracting(IngestedRecord::table).containsExactly("a", "b", "c");
    assertThat(ingestor.stats().gaps()).isZero();
    assertThat(ingestor.stats().duplicates()).isEqualTo(1);
    assertThat(ingestor.agents())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.agentStartMillis()).isEqualTo(2);
              assertThat(a.records()).isEqualTo(3);
              assertThat(a.lastReceivedMillis()).isEqualTo(NOW);
            });
  }

  @Test
  void aFailingListenerIsCountedAndTheOthersStillGetTheBatch() {
    List<IngestedRecord> second = new ArrayList<>();
    Ingestor i =
        new Ingestor(
            List.of(
                (b, t) -> {
                  throw new IllegalStateException("boom");
                },
                (b, t) -> second.addAll(b.records())),
            () -> NOW);

    i.accept(batch(1, 1, record(M, "a", NOW - 2000)));

    assertThat(second).hasSize(1);
    assertThat(i.stats().errors()).isEqualTo(1);
    assertThat(i.stats().lastLagMillis()).isEqualTo(2000);
  }

  @Test
  void entityIdsFollowGalaOps() {
    IngestedRecord r =
        IngestedRecord.of(
            "uuid-1.2.3.4",
            "tcp_metric",
            "tcp_link",
            NOW,
            new java.util.LinkedHashMap<>(Map.of("tgid", "12")),
            Map.of(),
            Map.of());
    assertThat(r.entityId()).isEqualTo("uuid-1.2.3.4_tcp_link_12");
    assertThat(EntityIds.of("m", "fs", "/var/lib x")).isEqualTo("m_fs__var_lib_x");
    assertThat(EntityIds.of("m", "proc", "x".repeat(300))).hasSize(254);
  }
}
