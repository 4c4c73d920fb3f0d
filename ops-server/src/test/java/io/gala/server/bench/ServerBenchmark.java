package io.gala.server.bench;

import io.gala.server.OpsServer;
import io.gala.server.ingest.IngestListener;
import io.gala.server.ingest.IngestedBatch;
import io.gala.server.ingest.IngestedRecord;
import io.gala.server.ingest.Ingestor;
import io.gala.server.timeseries.TimeSeriesWindow;
import io.gala.server.topology.Snapshot;
import io.gala.server.topology.SnapshotTaker;
import io.gala.server.topology.TopologyBuilder;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The server's figures on synthetic records of realistic shape (hosts with processes, connections
 * whose two ends are on different hosts, block devices): ingest records/s on one thread, snapshot
 * build time and heap at 1k, 10k and 100k entities, REST latency of a topology query at 10k
 * entities. Not a test: run by hand, see docs/server.md ("Benchmarks").
 */
public final class ServerBenchmark {
  static final long T0 = System.currentTimeMillis() - 60_000;

  /** One sample of {@code hosts} agents holding about {@code entities} entities in all. */
  static List<IngestedBatch> sample(int entities, long t, long seq) {
    int hosts = Math.max(2, entities / 500);
    int perHost = entities / hosts;
    int procs = Math.max(1, perHost / 10);
    int links = perHost - procs - 4;
    List<IngestedBatch> out = new ArrayList<>();
    for (int h = 0; h < hosts; h++) {
      String mid = "bench-" + h + "-10.1." + (h / 250) + "." + (h % 250);
      String ip = "10.1." + (h / 250) + "." + (h % 250);
      List<IngestedRecord> rs = new ArrayList<>(perHost);
      for (int p = 0; p < procs; p++) {
        rs.add(
            IngestedRecord.of(
                mid,
                "proc",
                "proc",
                t,
                Map.of("tgid", String.valueOf(1000 + p)),
                Map.of(
                    "comm",
                    "svc" + (p % 20),
                    "cmdline",
                    "/usr/bin/svc" + (p % 20) + " --flag",
                    "ppid",
                    "1"),
                Map.of("cpu_seconds", 1.5 * p, "pm_size", 1e8, "fd_count", 40.0)));
      }
      String peerIp = "10.1." + (((h + 1) % hosts) / 250) + "." + (((h + 1) % hosts) % 250);
      for (int l = 0; l < links; l++) {
        boolean client = l % 2 == 0;
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("tgid", String.valueOf(1000 + l % procs));
        keys.put("comm", "svc" + ((l % procs) % 20));
        keys.put("role", client ? "client" : "server");
        // Clients of host h talk to servers of host h+1, which report the same 4-tuple.
        keys.put(
            "client_ip",
            client
                ? ip
                : "10.1."
                    + (((h + hosts - 1) % hosts) / 250)
                    + "."
                    + (((h + hosts - 1) % hosts) % 250));
        keys.put("server_ip", client ? peerIp : ip);
        keys.put("client_port", String.valueOf(20000 + l / 2));
        keys.put("server_port", String.valueOf(client ? 8000 + (l / 2) % 10 : 8000 + (l / 2) % 10));
        keys.put("protocol", "2");
        rs.add(
            IngestedRecord.of(
                mid,
                "tcp_link",
                "tcp_link",
                t,
                keys,
                Map.of(),
                Map.of(
                    "rx_bytes",
                    1e6 + l,
                    "tx_bytes",
                    2e6 + l,
                    "retran_packets",
                    3.0,
                    "sk_drops",
                    0.0,
                    "srtt_last",
                    0.0002)));
      }
      for (int b = 0; b < 4; b++) {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("major", "8");
        keys.put("first_minor", String.valueOf(b * 16));
        rs.add(
            IngestedRecord.of(
                mid,
                "block",
                "block",
                t,
                keys,
                Map.of("blk_name", "sd" + (char) ('a' + b), "disk_name", "sd" + (char) ('a' + b)),
                Map.of("read_bytes", 1e9, "write_bytes", 2e9)));
      }
      out.add(new IngestedBatch(mid, 1, seq, rs));
    }
    return out;
  }

  static long usedHeap() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    Runtime r = Runtime.getRuntime();
    return r.totalMemory() - r.freeMemory();
  }

  static void ingestAndSnapshots() {
    System.out.println(
        "entities  records  ingest_rec_per_s  snapshot_build_ms(median of 5)  nodes  edges  heap_state_MB");
    for (int n : new int[] {1_000, 10_000, 100_000}) {
      long before = usedHeap();
      TopologyBuilder topo = TopologyBuilder.withDefaults();
      TimeSeriesWindow window =
          new TimeSeriesWindow(Duration.ofMinutes(30), Duration.ofSeconds(15), 5_000_000);
      Ingestor ingestor =
          new Ingestor(List.<IngestListener>of(window, topo), System::currentTimeMillis);
      // Warm up, then time 5 samples.
      int rounds = n >= 100_000 ? 3 : 5;
      long records = 0;
      long nanos = 0;
      for (int s = 0; s < rounds + 2; s++) {
        List<IngestedBatch> batches = sample(n, T0 + s * 15_000L, s + 1);
        long start = System.nanoTime();
        for (IngestedBatch b : batches) {
          ingestor.accept(b);
        }
        if (s >= 2) {
          nanos += System.nanoTime() - start;
          records += batches.stream().mapToInt(b -> b.records().size()).sum();
        }
      }
      long[] builds = new long[5];
      Snapshot snap = null;
      for (int i = 0; i < builds.length; i++) {
        long start = System.nanoTime();
        snap = topo.snapshot(System.currentTimeMillis() + i);
        builds[i] = System.nanoTime() - start;
      }
      Arrays.sort(builds);
      long heap = usedHeap() - before;
      System.out.printf(
          "%8d %8d %17.0f %31.1f %6d %6d %14.1f%n",
          topo.trackedEntities(),
          records,
          records / (nanos / 1e9),
          builds[2] / 1e6,
          snap.nodes().size(),
          snap.edges().size(),
          heap / 1e6);
    }
  }

  static void restLatency() throws Exception {
    ConfigurableApplicationContext ctx =
        org.springframework.boot.SpringApplication.run(
            OpsServer.class,
            "--server.port=0",
            "--gala.topology.data-dir=",
            "--gala.topology.startup-grace=1h",
            "--logging.level.root=WARN");
    try {
      Ingestor ingestor = ctx.getBean(Ingestor.class);
      for (IngestedBatch b : sample(10_000, System.currentTimeMillis() - 1000, 1)) {
        ingestor.accept(b);
      }
      Snapshot s = ctx.getBean(SnapshotTaker.class).takeSnapshot();
      int port = Integer.parseInt(ctx.getEnvironment().getProperty("local.server.port"));
      HttpClient http = HttpClient.newHttpClient();
      for (String level : new String[] {"host", "process", "rpc"}) {
        HttpRequest req =
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/api/v1/topology?level=" + level))
                .build();
        long[] ms = new long[50];
        long bytes = 0;
        for (int i = -10; i < ms.length; i++) {
          long start = System.nanoTime();
          HttpResponse<byte[]> r = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
          if (r.statusCode() != 200) {
            throw new IllegalStateException("HTTP " + r.statusCode());
          }
          if (i >= 0) {
            ms[i] = System.nanoTime() - start;
            bytes = r.body().length;
          }
        }
        Arrays.sort(ms);
        System.out.printf(
            "REST /api/v1/topology?level=%-7s at %d entities: p50 %.1f ms, p95 %.1f ms, %d KB%n",
            level, s.nodes().size(), ms[25] / 1e6, ms[47] / 1e6, bytes / 1024);
      }
    } finally {
      ctx.close();
    }
  }

  public static void main(String[] args) throws Exception {
    System.out.println(
        "JVM "
            + ManagementFactory.getRuntimeMXBean().getVmVersion()
            + ", "
            + Runtime.getRuntime().availableProcessors()
            + " cpus, max heap "
            + Runtime.getRuntime().maxMemory() / (1 << 20)
            + " MB");
    List<String> a = List.of(args);
    if (!a.contains("--rest-only")) {
      ingestAndSnapshots();
    }
    if (!a.contains("--no-rest")) {
      restLatency();
    }
  }
}
