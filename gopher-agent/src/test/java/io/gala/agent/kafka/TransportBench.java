package io.gala.agent.kafka;

import io.gala.agent.export.Sample;
import io.gala.broker.BrokerProcess;
import io.gala.transport.BatchCodec;
import io.gala.transport.Topics;
import io.gala.transport.proto.Batch;
import io.gala.transport.proto.Records;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Transport figures for docs/benchmarks.md, run as a main (not a test): {@code encode} measures
 * rows encoded per second on one thread and bytes per row, protobuf and JSON; {@code latency}
 * measures agent -> broker -> consumer latency on a broker of its own.
 *
 * <pre>
 * mvn -q -o -pl gopher-agent -am test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
 * java -cp "gopher-agent/target/test-classes:gopher-agent/target/classes:$(cat gopher-agent/target/test-classpath.txt)" \
 *     io.gala.agent.kafka.TransportBench encode 10000   # or: latency 30
 * </pre>
 */
public final class TransportBench {
  private TransportBench() {}

  public static void main(String[] args) throws Exception {
    String mode = args.length > 0 ? args[0] : "encode";
    if (mode.equals("encode")) {
      encode(args.length > 1 ? Integer.parseInt(args[1]) : 10_000);
    } else {
      latency(args.length > 1 ? Integer.parseInt(args[1]) : 30);
    }
  }

  static void encode(int rows) {
    List<Sample> samples = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      samples.add(TestSamples.sample(1_700_000_000_000L + i * 5000L, rows));
    }
    BatchEncoder enc = new BatchEncoder(512 * 1024);
    GalaOpsEncoder json = new GalaOpsEncoder(ZoneOffset.UTC, 600_000);
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    for (String format : List.of("protobuf", "json")) {
      long bytes = 0;
      long encoded = 0;
      long warmupEnd = System.nanoTime() + Duration.ofSeconds(3).toNanos();
      long t0 = 0;
      long c0 = 0;
      boolean measuring = false;
      long end = Long.MAX_VALUE;
      int i = 0;
      while (System.nanoTime() < end) {
        if (!measuring && System.nanoTime() > warmupEnd) {
          measuring = true;
          bytes = 0;
          encoded = 0;
          t0 = System.nanoTime();
          c0 = cpu.getCurrentThreadCpuTime();
          end = t0 + Duration.ofSeconds(5).toNanos();
        }
        Sample s = samples.get(i++ % samples.size());
        if (format.equals("protobuf")) {
          for (Records r : enc.records(s)) {
            bytes +=
                BatchCodec.encode(
                        BatchEncoder.header("m", "ip", 1, s.timestampMillis())
                            .setRecords(r)
                            .setSequence(i)
                            .build())
                    .length;
          }
        } else {
          for (byte[] b : json.metrics(s)) {
            bytes += b.length;
          }
        }
        encoded += s.rows().size();
      }
      double cpuSec = (cpu.getCurrentThreadCpuTime() - c0) / 1e9;
      System.out.printf(
          "%-8s rows/sample %d: %.0f rows/s per core (%.2f s CPU), %.1f bytes/row%n",
          format, rows, encoded / cpuSec, cpuSec, (double) bytes / encoded);
    }
  }

  static void latency(int seconds) throws Exception {
    Path dir = Files.createTempDirectory("gala-bench-kafka");
    try (BrokerProcess broker = BrokerProcess.start(dir)) {
      Topics topics = TestSamples.topics("bench");
      List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
      try (KafkaExporter ex =
              new KafkaExporter(
                  TestSamples.config(broker.bootstrap(), topics, 64L << 20, 512 * 1024, false));
          Collector c =
              new Collector(broker.bootstrap(), topics, "bench", List.of(Topics.Stream.RECORDS))) {
        // Create the topic and join the group before measuring.
        ex.onSample(TestSamples.sample(System.currentTimeMillis(), 10));
        c.pollUntil(() -> !c.records.isEmpty(), Duration.ofSeconds(60));
        int warm = c.records.size();
        Thread producer =
            new Thread(
                () -> {
                  long end = System.currentTimeMillis() + seconds * 1000L;
                  while (System.currentTimeMillis() < end) {
                    ex.onSample(TestSamples.sample(System.currentTimeMillis(), 200));
                    try {
                      Thread.sleep(100);
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                });
        producer.start();
        long end = System.currentTimeMillis() + seconds * 1000L + 5000;
        while (System.currentTimeMillis() < end) {
          c.consumer.poll(Duration.ofMillis(50));
          long now = System.currentTimeMillis();
          while (warm < c.records.size()) {
            Batch b = c.records.get(warm++);
            latencies.add(now - b.getTimestampMs());
          }
        }
        producer.join();
      }
      List<Long> l = new ArrayList<>(latencies);
      Collections.sort(l);
      System.out.printf(
          "latency agent onSample -> consumer poll over %d batches of 200 rows (10/s, linger 20 ms, lz4): "
              + "median %d ms, p99 %d ms, max %d ms%n",
          l.size(), l.get(l.size() / 2), l.get((int) (l.size() * 0.99)), l.get(l.size() - 1));
    }
  }
}
