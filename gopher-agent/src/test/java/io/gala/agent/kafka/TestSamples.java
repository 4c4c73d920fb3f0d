package io.gala.agent.kafka;

import io.gala.agent.export.Sample;
import io.gala.agent.probe.Identity;
import io.gala.agent.table.Histogram;
import io.gala.agent.table.MetricDef;
import io.gala.agent.table.MetricKind;
import io.gala.agent.table.Row;
import io.gala.agent.table.TableDef;
import io.gala.transport.RecordView;
import io.gala.transport.Topics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Tables shaped like the probes' and samples of them, for the transport tests. */
final class TestSamples {
  static final Identity ID =
      new Identity("0a1b2c3d-test-0000-0000-000000000001-192.168.0.1", "192.168.0.1");

  static final TableDef TCP =
      TableDef.builder("tcp_link")
          .keys("tgid", "role", "client_ip", "server_ip", "client_port", "server_port", "protocol")
          .labels("comm")
          .counter("rx_bytes", "bytes", "Bytes received")
          .counter("retran_packets", "", "Segments retransmitted")
          .gauge("snd_cwnd", "segments", "Congestion window")
          .histogram("srtt", "seconds", "Smoothed round-trip time")
          .build();

  static final TableDef PROC =
      TableDef.builder("proc")
          .keys("tgid")
          .labels("comm", "container_id")
          .gauge("cpu_util", "%", "CPU utilisation")
          .counter("syscall_failed", "", "Failed system calls")
          .build();

  static final double[] BOUNDS = {0.0001, 0.001, 0.01, 0.1, Double.POSITIVE_INFINITY};

  private TestSamples() {}

  /** A sample at ts of `connections` tcp_link rows and 3 proc rows; values grow with ts. */
  static Sample sample(long ts, int connections) {
    Random rnd = new Random(ts);
    List<Row> rows = new ArrayList<>();
    long k = ts / 1000;
    for (int i = 0; i < connections; i++) {
      Row.Builder b =
          TCP.row()
              .key("tgid", 1000 + i % 7)
              .key("role", i % 2 == 0 ? "client" : "server")
              .key("client_ip", "10.0." + (i / 250) + "." + (i % 250))
              .key("server_ip", "10.1.0.1")
              .key("client_port", 30000 + i)
              .key("server_port", 6379)
              .key("protocol", "2")
              .label("comm", "redis-\"cli\"")
              .set("rx_bytes", 1000L * k + i)
              .set("snd_cwnd", 10 + rnd.nextInt(50));
      if (i % 5 != 0) {
        b.set("retran_packets", i % 3);
      }
      if (i % 4 != 0) {
        long[] counts = {rnd.nextInt(5), rnd.nextInt(50), rnd.nextInt(9), 0, i % 11 == 0 ? 1 : 0};
        long n = 0;
        for (long c : counts) {
          n += c;
        }
        b.histogram("srtt", new Histogram(BOUNDS, counts, n * 0.0007 + rnd.nextDouble() * 1e-4, n));
      }
      rows.add(b.build());
    }
    for (int p = 0; p < 3; p++) {
      rows.add(
          PROC.row()
              .key("tgid", 1000 + p)
              .label("comm", "p" + p)
              .label("container_id", p == 0 ? "" : "c0ffee")
              .set("cpu_util", 12.5 * p + rnd.nextDouble())
              .set("syscall_failed", k * p)
              .build());
    }
    return new Sample(ts, ID, 1_700_000_000_000L, rows);
  }

  /** What a consumer should decode from a row. */
  static RecordView expected(Row row) {
    TableDef t = row.table();
    Map<String, String> keys = new LinkedHashMap<>();
    for (int i = 0; i < t.keys().size(); i++) {
      keys.put(t.keys().get(i), row.keyValues().get(i));
    }
    Map<String, String> labels = new LinkedHashMap<>();
    for (int i = 0; i < t.labels().size(); i++) {
      labels.put(t.labels().get(i), row.labelValues().get(i));
    }
    Map<String, Double> values = new LinkedHashMap<>();
    Map<String, RecordView.Hist> hists = new LinkedHashMap<>();
    Map<String, io.gala.transport.proto.MetricKind> kinds = new LinkedHashMap<>();
    for (int i = 0; i < t.metrics().size(); i++) {
      MetricDef m = t.metrics().get(i);
      kinds.put(m.name(), BatchEncoder.kind(m.kind()));
      if (m.kind() == MetricKind.HISTOGRAM) {
        Histogram h = row.histogram(i);
        if (h != null) {
          List<Double> b = new ArrayList<>();
          for (double d : h.upperBounds()) {
            b.add(d);
          }
          List<Long> c = new ArrayList<>();
          for (long x : h.counts()) {
            c.add(x);
          }
          hists.put(m.name(), new RecordView.Hist(b, c, h.sum(), h.count()));
        }
      } else if (!Double.isNaN(row.value(i))) {
        values.put(m.name(), row.value(i));
      }
    }
    return new RecordView(t.name(), t.entity(), keys, labels, values, hists, kinds);
  }

  /**
   * Topics of their own for one test, so that tests sharing a broker do not see each other's
   * records.
   */
  static Topics topics(String prefix) {
    return new Topics(
        prefix + "_records",
        prefix + "_metadata",
        prefix + "_events",
        prefix + "_gala_gopher",
        prefix + "_gala_gopher_metadata",
        prefix + "_gala_gopher_event");
  }

  static KafkaConfig config(
      String bootstrap, Topics topics, long spoolBytes, int maxBatchBytes, boolean json) {
    return new KafkaConfig(
        bootstrap, topics, json, spoolBytes, 1L << 20, maxBatchBytes, "lz4", 20, 300_000, Map.of());
  }
}
