package io.gala.agent.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.gala.agent.GopherAgentHandle;
import io.gala.agent.config.AgentConfig;
import io.gala.agent.testing.KernelTest;
import io.gala.broker.BrokerProcess;
import io.gala.transport.RecordView;
import io.gala.transport.Topics;
import io.gala.transport.proto.Batch;
import io.gala.transport.proto.MetricKind;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole agent with real probes (baseinfo, proc, tcp) on the real kernel, exporting to Kafka's
 * own broker: for every sample, the records a consumer decodes from the records topic are what the
 * agent's Prometheus endpoint served for that sample timestamp, series by series and value by
 * value. The exposition also keeps, for the age-out time, entities a sample no longer carried (a
 * closed connection's final row): those are rebuilt from the latest earlier batch, as SeriesStore
 * keeps them.
 */
@KernelTest
class KafkaMatchesPrometheusKernelTest {
  private static final int PORT = 16502;
  private static final String MACHINE_ID = "gt-e2e-kafka-prom";
  private static final long AGE_OUT_MS = 60_000;

  @TempDir static Path dir;
  private static BrokerProcess broker;

  @BeforeAll
  static void startBroker() {
    broker = BrokerProcess.start(dir.resolve("kafka"));
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  private static AgentConfig config(Topics topics) {
    AgentConfig c = new AgentConfig();
    c.machineId = MACHINE_ID;
    c.hostIp = "127.0.0.1";
    c.export.port = 0;
    c.control.port = 0;
    c.control.probesInit = dir.resolve("probes.init").toString();
    c.defaultProbes = List.of("baseinfo", "proc", "tcp");
    // Samples are taken by the test (sampleNow); the sampler's own first tick is an hour away.
    c.samplePeriodMs = 3_600_000;
    c.kafka =
        Map.of(
            "bootstrap_servers",
            broker.bootstrap(),
            "linger_ms",
            5,
            "topics",
            Map.of(
                "records",
                topics.records(),
                "metadata",
                topics.metadata(),
                "events",
                topics.events()));
    return c;
  }

  @Test
  void everySampleDecodedFromKafkaEqualsThePrometheusExpositionOfThatTimestamp() throws Exception {
    Topics topics = TestSamples.topics("e2e_prom");
    Map<Long, String> served = new LinkedHashMap<>();
    try (GopherAgentHandle agent =
            GopherAgentHandle.start(config(topics), GopherAgentHandle.catalog());
        ServerSocket server = new ServerSocket(PORT, 50, InetAddress.getLoopbackAddress())) {
      // A connection that lives through every sample and one closed between samples 2 and 3 (its
      // final
      // row is only in sample 3's batch, then only in the exposition's memory).
      Socket open = new Socket(InetAddress.getLoopbackAddress(), PORT);
      Socket openPeer = server.accept();
      Socket shortLived = new Socket(InetAddress.getLoopbackAddress(), PORT);
      Socket shortPeer = server.accept();
      for (int i = 0; i < 5; i++) {
        exchange(open, openPeer, 1000 * (i + 1));
        if (i < 2) {
          exchange(shortLived, shortPeer, 300);
        } else if (i == 2) {
          shortLived.close();
          shortPeer.close();
        }
        String text = agent.sampleAndScrape();
        served.put(agent.agent().exporter().sampleMillis(), text);
        Thread.sleep(300);
      }
      open.close();
      openPeer.close();
    }

    try (Collector c =
        new Collector(broker.bootstrap(), topics, "e2e-prom", List.of(Topics.Stream.RECORDS))) {
      assertThat(
              c.pollUntil(
                  () ->
                      c.records.stream().map(Batch::getTimestampMs).distinct().count()
                              >= served.size()
                          && complete(c.records),
                  Duration.ofSeconds(60)))
          .as("every sample's batches arrive")
          .isTrue();
      assertThat(c.consumer.missing()).isZero();
      assertThat(c.consumer.duplicates()).isZero();
      Map<Long, List<RecordView>> byTs =
          c.records.stream()
              .collect(
                  Collectors.groupingBy(
                      Batch::getTimestampMs,
                      TreeMap::new,
                      Collectors.flatMapping(
                          b -> RecordView.of(b.getRecords()).stream(), Collectors.toList())));
      assertThat(byTs.keySet()).containsExactlyElementsOf(served.keySet());
      assertThat(c.records).allMatch(b -> b.getMachineId().equals(MACHINE_ID));

      for (Map.Entry<Long, String> e : served.entrySet()) {
        long ts = e.getKey();
        Exposition prom = Exposition.parse(e.getValue(), ts);
        Exposition kafka = Exposition.of(current(byTs, ts), MACHINE_ID);
        assertThat(prom.series)
            .as("sample %d: series and values", ts)
            .containsExactlyInAnyOrderEntriesOf(kafka.series);
        assertThat(prom.types)
            .as("sample %d: metric types", ts)
            .containsExactlyInAnyOrderEntriesOf(kafka.types);
        // The probes are really there: the tables of all three, and both ends of the test's
        // connection.
        assertThat(prom.types)
            .containsKeys(
                "gala_gopher_proc_cpu_seconds",
                "gala_gopher_tcp_link_rx_bytes",
                "gala_gopher_host_uptime_seconds");
        assertThat(prom.series.keySet())
            .anyMatch(
                s ->
                    s.startsWith("gala_gopher_tcp_link_rx_bytes{")
                        && s.contains("role=\"server\"")
                        && s.contains("server_port=\"" + PORT + "\""));
        assertThat(prom.series.keySet())
            .anyMatch(
                s ->
                    s.startsWith("gala_gopher_tcp_link_rx_bytes{")
                        && s.contains("role=\"client\"")
                        && s.contains("server_port=\"" + PORT + "\""));
      }
    }
  }

  private static void exchange(Socket a, Socket b, int bytes) throws Exception {
    OutputStream out = a.getOutputStream();
    out.write(new byte[bytes]);
    out.flush();
    InputStream in = b.getInputStream();
    int got = 0;
    byte[] buf = new byte[8192];
    while (got < bytes) {
      int n = in.read(buf, 0, Math.min(buf.length, bytes - got));
      if (n < 0) {
        throw new IllegalStateException("peer closed after " + got + " of " + bytes + " bytes");
      }
      got += n;
    }
  }

  /** Every sample's batches have all their parts. */
  private static boolean complete(List<Batch> batches) {
    Map<Long, List<Batch>> byTs =
        batches.stream().collect(Collectors.groupingBy(Batch::getTimestampMs));
    return byTs.values().stream().allMatch(parts -> parts.size() == parts.get(0).getParts());
  }

  /**
   * What the exposition at ts holds: per entity, its latest row from a batch within the age-out
   * time.
   */
  private static List<RecordView> current(Map<Long, List<RecordView>> byTs, long ts) {
    Map<String, RecordView> latest = new LinkedHashMap<>();
    byTs.forEach(
        (t, rows) -> {
          if (t <= ts && ts - t <= AGE_OUT_MS) {
            rows.forEach(r -> latest.put(r.table() + "\u0000" + r.keys(), r));
          }
        });
    return new ArrayList<>(latest.values());
  }

  /** Series name with sorted labels -> value, and metric name -> type, from either side. */
  private record Exposition(Map<String, Double> series, Map<String, String> types) {
    static Exposition of(List<RecordView> rows, String machineId) {
      Map<String, Double> series = new TreeMap<>();
      Map<String, String> types = new TreeMap<>();
      for (RecordView r : rows) {
        TreeMap<String, String> labels = new TreeMap<>(r.keys());
        r.labels()
            .forEach(
                (k, v) -> {
                  if (!v.isEmpty()) {
                    labels.put(k, v);
                  }
                });
        labels.put("machine_id", machineId);
        for (Map.Entry<String, MetricKind> m : r.kinds().entrySet()) {
          String name = "gala_gopher_" + r.entity() + "_" + m.getKey();
          if (m.getValue() == MetricKind.METRIC_KIND_HISTOGRAM) {
            RecordView.Hist h = r.histograms().get(m.getKey());
            if (h == null) {
              continue;
            }
            types.put(name, "histogram");
            long cumulative = 0;
            boolean inf = false;
            for (int i = 0; i < h.upperBounds().size(); i++) {
              cumulative += h.counts().get(i);
              double le = h.upperBounds().get(i);
              inf |= Double.isInfinite(le);
              series.put(key(name + "_bucket", labels, le), (double) cumulative);
            }
            if (!inf) {
              series.put(
                  key(name + "_bucket", labels, Double.POSITIVE_INFINITY), (double) h.count());
            }
            series.put(key(name + "_sum", labels, null), h.sum());
            series.put(key(name + "_count", labels, null), (double) h.count());
          } else if (r.values().containsKey(m.getKey())) {
            types.put(name, m.getValue() == MetricKind.METRIC_KIND_COUNTER ? "counter" : "gauge");
            series.put(key(name, labels, null), r.values().get(m.getKey()));
          }
        }
      }
      return new Exposition(series, types);
    }

    /** Parses text format 0.0.4; every series must carry the sample timestamp. */
    static Exposition parse(String text, long ts) {
      Map<String, Double> series = new TreeMap<>();
      Map<String, String> types = new TreeMap<>();
      for (String line : text.split("\n")) {
        if (line.startsWith("# TYPE ")) {
          String[] f = line.split(" ");
          types.put(f[2], f[3]);
          continue;
        }
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
        int brace = line.indexOf('{');
        String name = line.substring(0, brace);
        TreeMap<String, String> labels = new TreeMap<>();
        int i = brace + 1;
        while (line.charAt(i) != '}') {
          int eq = line.indexOf('=', i);
          String label = line.substring(i, eq);
          StringBuilder v = new StringBuilder();
          int j = eq + 2;
          for (; line.charAt(j) != '"'; j++) {
            char ch = line.charAt(j);
            if (ch == '\\') {
              char next = line.charAt(++j);
              v.append(next == 'n' ? '\n' : next);
            } else {
              v.append(ch);
            }
          }
          labels.put(label, v.toString());
          i = line.charAt(j + 1) == ',' ? j + 2 : j + 1;
        }
        String[] rest = line.substring(i + 2).split(" ");
        assertThat(rest).as("value and timestamp: %s", line).hasSize(2);
        assertThat(Long.parseLong(rest[1])).as("timestamp of %s", line).isEqualTo(ts);
        Double le = null;
        if (labels.containsKey("le")) {
          String l = labels.remove("le");
          le = l.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(l);
        }
        series.put(key(name, labels, le), value(rest[0]));
      }
      return new Exposition(series, types);
    }

    private static double value(String v) {
      return switch (v) {
        case "+Inf" -> Double.POSITIVE_INFINITY;
        case "-Inf" -> Double.NEGATIVE_INFINITY;
        default -> Double.parseDouble(v);
      };
    }

    private static String key(String name, TreeMap<String, String> labels, Double le) {
      StringBuilder b = new StringBuilder(name).append('{');
      labels.forEach((k, v) -> b.append(k).append("=\"").append(v).append("\","));
      if (le != null) {
        b.append("le=\"").append(le).append("\",");
      }
      return b.append('}').toString();
    }
  }
}
