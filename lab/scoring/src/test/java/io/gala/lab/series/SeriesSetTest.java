package io.gala.lab.series;

import static org.assertj.core.api.Assertions.assertThat;

import io.gala.transport.proto.Batch;
import io.gala.transport.proto.Column;
import io.gala.transport.proto.Histogram;
import io.gala.transport.proto.MetricKind;
import io.gala.transport.proto.Records;
import io.gala.transport.proto.Row;
import io.gala.transport.proto.TableRows;
import java.util.List;
import org.junit.jupiter.api.Test;

public class SeriesSetTest {
  /**
   * A records batch of lab-db with one proc row: cpu_seconds (counter), num_threads (gauge), lat
   * (histogram).
   */
  public static Batch sample(
      long seq, long t, double cpu, double threads, double latSum, long latCount) {
    TableRows table =
        TableRows.newBuilder()
            .setTable("proc")
            .addKeyNames("tgid")
            .addLabelNames("comm")
            .addMetrics(
                Column.newBuilder().setName("cpu_seconds").setKind(MetricKind.METRIC_KIND_COUNTER))
            .addMetrics(
                Column.newBuilder().setName("num_threads").setKind(MetricKind.METRIC_KIND_GAUGE))
            .addMetrics(
                Column.newBuilder()
                    .setName("lat")
                    .setKind(MetricKind.METRIC_KIND_HISTOGRAM)
                    .addUpperBounds(0.001)
                    .addUpperBounds(Double.POSITIVE_INFINITY))
            .addRows(
                Row.newBuilder()
                    .addKeys("42")
                    .addLabels("redis-server")
                    .addValues(cpu)
                    .addValues(threads)
                    .addHistograms(
                        Histogram.newBuilder()
                            .addCounts(latCount)
                            .addCounts(0)
                            .setSum(latSum)
                            .setCount(latCount)))
            .build();
    return Batch.newBuilder()
        .setVersion(1)
        .setMachineId("lab-db")
        .setAgentStartMs(1)
        .setSequence(seq)
        .setTimestampMs(t)
        .setRecords(Records.newBuilder().addTables(table))
        .build();
  }

  @Test
  void countersBecomeRatesGaugesStayHistogramsBecomePeriodMeans() {
    SeriesSet s =
        SeriesSet.of(
            List.of(
                sample(1, 10_000, 1.0, 4, 0.010, 10),
                sample(2, 15_000, 3.5, 5, 0.030, 20),
                sample(
                    3, 20_000, 0.5, 5, 0.030,
                    20), // counter went back: a restart, no rate point; no new observations
                sample(4, 25_000, 1.5, 6, 0.130, 120)));
    SeriesSet.Entity e = s.entity("lab-db_proc_42");
    assertThat(e.ref().labels()).containsEntry("comm", "redis-server");
    Series cpu = e.metrics().get("cpu_seconds/s");
    assertThat(cpu.size()).isEqualTo(2);
    assertThat(cpu.value(0)).isEqualTo(0.5); // 2.5 s of CPU in 5 s
    assertThat(cpu.value(1)).isEqualTo(0.2); // 1 s in 5 s after the restart
    assertThat(e.metrics().get("num_threads").valuesBetween(0, 100_000))
        .containsExactly(4, 5, 5, 6);
    Series lat = e.metrics().get("lat.mean");
    assertThat(lat.size()).isEqualTo(2);
    assertThat(lat.value(0))
        .isCloseTo(0.002, org.assertj.core.data.Offset.offset(1e-12)); // 0.02 s / 10
    assertThat(lat.value(1))
        .isCloseTo(0.001, org.assertj.core.data.Offset.offset(1e-12)); // 0.1 s / 100
  }
}
