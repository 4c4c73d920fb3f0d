package io.gala.agent.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.gala.agent.export.Sample;
import io.gala.agent.probe.tcp.TcpLinkTable;
import io.gala.agent.table.Histogram;
import io.gala.agent.table.LogLinearBuckets;
import io.gala.agent.table.Row;
import io.gala.broker.BrokerProcess;
import io.gala.transport.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Measurement, not a check: the agent's CPU spent on export (KafkaExporter.onSample encoding and
 * spooling, the sender thread, the Kafka client's I/O thread) at 10k and 100k records/s, to Kafka's
 * own broker in a child JVM (whose CPU is not counted). Run explicitly: {@code mvn -B -q -o -pl
 * gopher-agent -am test -Dtest=KafkaExportCpuBenchmark -Dgala.bench=true
 * -Dsurefire.failIfNoSpecifiedTests=false} ({@code -Dgala.bench.rounds=5 -Dgala.bench.seconds=10}).
 *
 * <p>One sample per second of N tcp_link rows shaped as the tcp probe emits them (every metric set,
 * an srtt histogram on each, a connect histogram on client rows), prebuilt so that only export is
 * measured. CPU is this process's utime + stime from /proc/self/stat, over the run and until the
 * spool has drained, minus the same process idle for as long (the JVM's own background threads).
 * The loads are interleaved round by round (idle, 10k, 100k, 10k with the gala-ops JSON topics too)
 * so that the other work on a shared machine falls on all of them alike.
 */
@EnabledIfSystemProperty(named = "gala.bench", matches = "true")
class KafkaExportCpuBenchmark {
  private static final long TICK_NANOS = 1_000_000_000L / 100; // CLK_TCK, 100 on Linux x86-64

  @TempDir Path dir;

  private record Load(String name, int rowsPerSecond, boolean json) {}

  @Test
  void measuresAgentCpuSpentOnExport() throws Exception {
    int rounds = Integer.getInteger("gala.bench.rounds", 5);
    int seconds = Integer.getInteger("gala.bench.seconds", 10);
    List<Load> loads =
        List.of(
            new Load("idle (JVM baseline)", 0, false),
            new Load("10k rows/s protobuf", 10_000, false),
            new Load("100k rows/s protobuf", 100_000, false),
            new Load("10k rows/s protobuf + gala-ops JSON", 10_000, true));
    List<Row> rows = rows(100_000);
    Map<Load, List<Double>> cpuPercent = new LinkedHashMap<>();
    Map<Load, List<Double>> bytesPerRow = new LinkedHashMap<>();
    loads.forEach(
        l -> {
          cpuPercent.put(l, new ArrayList<>());
          bytesPerRow.put(l, new ArrayList<>());
        });
    try (BrokerProcess broker =
        BrokerProcess.start(Files.createDirectories(dir.resolve("kafka")))) {
      // Warm-up: topics created, JIT compiled, not measured.
      run(broker, new Load("warm-up", 10_000, true), rows, 5, "warm");
      for (int round = 0; round < rounds; round++) {
        for (Load l : loads) {
          double[] r = run(broker, l, rows, seconds, "r" + round);
          cpuPercent.get(l).add(r[0]);
          bytesPerRow.get(l).add(r[1]);
        }
      }
    }
    double idle = median(cpuPercent.get(loads.get(0)));
    System.out.printf(
        "%nexport CPU, %d rounds of %d s, %% of one core (median (min-max)); idle baseline %.2f %%%n",
        rounds, seconds, idle);
    System.out.println(
        "| load | process CPU (% of a core) | export CPU above idle (% of a core) | us per row | bytes/row sent |");
    System.out.println("| --- | --- | --- | --- | --- |");
    for (Load l : loads) {
      List<Double> c = cpuPercent.get(l);
      List<Double> above = c.stream().map(x -> x - idle).toList();
      String perRow =
          l.rowsPerSecond() == 0
              ? "-"
              : String.format("%.2f", median(above) * 1e4 / l.rowsPerSecond());
      System.out.printf(
          "| %s | %.2f (%.2f-%.2f) | %s | %s | %s |%n",
          l.name(),
          median(c),
          min(c),
          max(c),
          l.rowsPerSecond() == 0
              ? "-"
              : String.format("%.2f (%.2f-%.2f)", median(above), min(above), max(above)),
          perRow,
          l.rowsPerSecond() == 0 ? "-" : String.format("%.0f", median(bytesPerRow.get(l))));
    }
  }

  /** One load for `seconds`: returns {process CPU % of a core, bytes sent per row}. */
  private double[] run(BrokerProcess broker, Load load, List<Row> rows, int seconds, String tag)
      throws Exception {
    Topics topics =
        TestSamples.topics(
            "bench_" + tag + "_" + load.rowsPerSecond() + (load.json() ? "_json" : ""));
    KafkaConfig config =
        new KafkaConfig(
            broker.bootstrap(),
            topics,
            load.json(),
            64L << 20,
            64L << 20,
            512 * 1024,
            "lz4",
            20,
            300_000,
            Map.of());
    try (KafkaExporter ex = new KafkaExporter(config)) {
      List<Row> sample = List.copyOf(rows.subList(0, load.rowsPerSecond()));
      // Producer connected and metadata fetched before measuring.
      ex.onSample(
          new Sample(
              System.currentTimeMillis(), TestSamples.ID, 1_700_000_000_000L, rows.subList(0, 10)));
      KafkaExporterTest.awaitFlushed(ex);
      long sentBefore = ex.stats().protobuf().bytesSent() + ex.stats().json().bytesSent();
      long cpu0 = processCpuNanos();
      long t0 = System.nanoTime();
      for (int s = 0; s < seconds; s++) {
        if (load.rowsPerSecond() > 0) {
          ex.onSample(
              new Sample(System.currentTimeMillis(), TestSamples.ID, 1_700_000_000_000L, sample));
        }
        long next = t0 + (s + 1) * 1_000_000_000L;
        Thread.sleep(Math.max(0, (next - System.nanoTime()) / 1_000_000));
      }
      KafkaExporterTest.awaitFlushed(ex);
      long cpu = processCpuNanos() - cpu0;
      long wall = Math.max(System.nanoTime() - t0, seconds * 1_000_000_000L);
      assertThat(ex.stats().protobuf().recordsDropped()).isZero();
      long sent = ex.stats().protobuf().bytesSent() + ex.stats().json().bytesSent() - sentBefore;
      long total = (long) load.rowsPerSecond() * seconds;
      return new double[] {100.0 * cpu / wall, total == 0 ? 0 : (double) sent / total};
    }
  }

  /** utime + stime of this process (all threads), from /proc/self/stat. */
  static long processCpuNanos() throws Exception {
    String stat = Files.readString(Path.of("/proc/self/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    // Fields after "(comm)": state is field 3, utime 14, stime 15 (1-based in proc(5)).
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * TICK_NANOS;
  }

  /** tcp_link rows with every metric the tcp probe sets, distinct tuples, plausible values. */
  static List<Row> rows(int n) {
    Random rnd = new Random(42);
    LogLinearBuckets.Range srttRange = new LogLinearBuckets.Range(8, (1L << 26) - 1, 1, 1e6);
    List<Row> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      boolean server = i % 2 == 1;
      long[] slots = new long[LogLinearBuckets.SLOTS];
      long count = 0;
      long sum = 0;
      for (int k = 3 + rnd.nextInt(3), j = 0; j < 3; j++, k++) {
        long c = 1 + rnd.nextInt(500);
        slots[k * LogLinearBuckets.SUB + LogLinearBuckets.SUB - 1] = c;
        count += c;
        sum += c * (8L << k);
      }
      Histogram srtt = LogLinearBuckets.toHistogram(slots, sum, count, srttRange);
      Row.Builder b =
          TcpLinkTable.TCP_LINK
              .row()
              .key("tgid", 1000 + i % 97)
              .key("role", server ? "server" : "client")
              .key("client_ip", "10.0." + (i >> 16 & 255) + "." + (i >> 8 & 255))
              .key("server_ip", "10.1.0." + (i % 200))
              .key("client_port", 1024 + i % 60000)
              .key("server_port", server ? 6379 : 5432)
              .key("protocol", 2)
              .label("comm", server ? "redis-server" : "pgbench")
              .label(
                  "cmdline",
                  server
                      ? "/usr/bin/redis-server 0.0.0.0:6379"
                      : "pgbench -h 10.1.0.1 -c 4 -T 600 -S postgres")
              .label("container_id", i % 3 == 0 ? "" : "3f2a9c0b1d4e")
              .label("netns", 4026531833L)
              .set("rx_bytes", rnd.nextInt(1 << 30))
              .set("tx_bytes", rnd.nextInt(1 << 30))
              .set("segs_in", rnd.nextInt(1 << 20))
              .set("segs_out", rnd.nextInt(1 << 20))
              .set("retran_packets", rnd.nextInt(10))
              .set("srtt", 20 + rnd.nextInt(2000))
              .set("snd_cwnd", 10 + rnd.nextInt(100))
              .set("lost_out", 0)
              .set("sacked_out", 0)
              .set("sk_drops", 0)
              .set("drops", rnd.nextInt(3))
              .set("send_rsts", 0)
              .set("receive_rsts", 0)
              .set("zero_rcv_wnd_count", 0)
              .set("zero_snd_wnd_count", 0)
              .set("rto", 204_000)
              .histogram("srtt_seconds", srtt);
      if (!server) {
        b.set("connect_failed", 0);
        long[] one = new long[LogLinearBuckets.SLOTS];
        long raw = 20_000 + rnd.nextInt(100_000);
        one[LogLinearBuckets.slot(raw)] = 1;
        b.histogram(
            "syn_srtt_seconds",
            LogLinearBuckets.toHistogram(one, raw, 1, LogLinearBuckets.Range.nanosToSeconds(1)));
      }
      out.add(b.build());
    }
    return Collections.unmodifiableList(out);
  }

  private static double median(List<Double> v) {
    List<Double> s = new ArrayList<>(v);
    Collections.sort(s);
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  private static double min(List<Double> v) {
    return Collections.min(v);
  }

  private static double max(List<Double> v) {
    return Collections.max(v);
  }
}
