package io.gala.server.timeseries;

import static org.assertj.core.api.Assertions.assertThat;

import io.gala.server.ingest.IngestedHistogram;
import io.gala.server.ingest.IngestedRecord;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TimeSeriesWindowTest {
  static final long T0 = 1_760_000_000_000L;

  static IngestedRecord proc(int tgid, long t, double cpu) {
    return IngestedRecord.of(
        "m",
        "system_proc",
        "proc",
        t,
        Map.of("tgid", String.valueOf(tgid)),
        Map.of(),
        Map.of("cpu_util", cpu, "fd_count", Double.NaN));
  }

  @Test
  void keepsOnePointPerStepTheLastOneWins() {
    TimeSeriesWindow w = new TimeSeriesWindow(Duration.ofMinutes(5), Duration.ofSeconds(10), 1000);
    w.add(proc(1, T0, 1));
    w.add(proc(1, T0 + 5_000, 2));
    w.add(proc(1, T0 + 10_000, 3));
    w.add(proc(1, T0 + 2_000, 9)); // older than the newest step: out of order

    assertThat(w.range("m_proc_1", Set.of(), 0, Long.MAX_VALUE)).containsOnlyKeys("cpu_util");
    assertThat(w.range("m_proc_1", Set.of("cpu_util"), 0, Long.MAX_VALUE).get("cpu_util"))
        .containsExactly(new Point(T0 + 5_000, 2), new Point(T0 + 10_000, 3));
    assertThat(w.outOfOrderPoints()).isEqualTo(1);
  }

  @Test
  void holdsAtMostTheRetentionAndForgetsSilentSeries() {
    TimeSeriesWindow w = new TimeSeriesWindow(Duration.ofSeconds(60), Duration.ofSeconds(10), 1000);
    for (int i = 0; i < 100; i++) {
      w.add(proc(1, T0 + i * 10_000L, i));
    }
    w.add(proc(2, T0, 5));

    assertThat(w.range("m_proc_1", Set.of("cpu_util"), 0, Long.MAX_VALUE).get("cpu_util"))
        .hasSize(7)
        .first()
        .isEqualTo(new Point(T0 + 930_000, 93));
    assertThat(w.evict(T0 + 990_000)).isEqualTo(1);
    assertThat(w.metrics("m_proc_2")).isEmpty();
    assertThat(w.entityCount()).isEqualTo(1);
  }

  @Test
  void refusesNewSeriesBeyondTheLimitAndCountsThem() {
    TimeSeriesWindow w = new TimeSeriesWindow(Duration.ofSeconds(60), Duration.ofSeconds(10), 2);
    w.add(proc(1, T0, 1));
    w.add(proc(2, T0, 1));
    w.add(proc(3, T0, 1));
    w.add(proc(1, T0 + 10_000, 2));

    assertThat(w.seriesCount()).isEqualTo(2);
    assertThat(w.refusedSeries()).isEqualTo(1);
    assertThat(w.range("m_proc_1", Set.of(), 0, Long.MAX_VALUE).get("cpu_util")).hasSize(2);
  }

  @Test
  void histogramsKeepTheirSumAndCount() {
    TimeSeriesWindow w = new TimeSeriesWindow(Duration.ofSeconds(60), Duration.ofSeconds(10), 100);
    w.add(
        new IngestedRecord(
            "m",
            "io_latency",
            "block",
            T0,
            Map.of("major", "8"),
            Map.of(),
            Map.of(),
            Map.of(
                "latency",
                new IngestedHistogram(
                    new double[] {0.001, Double.POSITIVE_INFINITY}, new long[] {3, 1}, 0.5, 4))));

    assertThat(w.metrics("m_block_8")).containsExactly("latency_count", "latency_sum");
    assertThat(
            w.range("m_block_8", Set.of("latency_count"), 0, Long.MAX_VALUE).get("latency_count"))
        .containsExactly(new Point(T0, 4));
  }
}
