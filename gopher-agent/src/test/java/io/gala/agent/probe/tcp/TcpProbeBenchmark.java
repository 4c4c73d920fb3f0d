package io.gala.agent.probe.tcp;

import io.gala.agent.probe.Scope;
import io.gala.agent.testing.KernelTest;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Measurements, not checks: run explicitly as root with {@code mvn -pl gopher-agent -am test
 * -Dtest=TcpProbeBenchmark -Dgala.bench=true -Dsurefire.failIfNoSpecifiedTests=false}. {@code
 * readsTenThousandLiveConnections} prints the sample time with 10k live loopback connections (20k
 * sockets) in one namespace; {@code holdsTheProbeUnderLoopbackLoad} keeps the probe loaded for
 * {@code gala.bench.seconds} (default 30) under a redis-benchmark load, for
 * ../shared/tools/bpf-cost.
 */
@KernelTest
@EnabledIfSystemProperty(named = "gala.bench", matches = "true")
class TcpProbeBenchmark {
  private static final int PORT = 47110;
  private static final int REDIS_PORT = 47111;
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  @Test
  void readsTenThousandLiveConnections() throws Exception {
    int pairs = Integer.getInteger("gala.bench.connections", 10_000);
    try (Namespaces ns = Namespaces.create()) {
      // Two processes: each holds one end of every connection (RLIMIT_NOFILE is 20000 here).
      Process acceptor =
          ns.spawn(
              Namespaces.A,
              "python3",
              "-c",
              """
          import socket, sys, time
          s = socket.socket()
          s.bind(('127.0.0.1', %d))
          s.listen(4096)
          print('ready', flush=True)
          held = [s.accept()[0] for i in range(int(sys.argv[1]))]
          print('held', flush=True)
          time.sleep(3600)
          """
                  .formatted(PORT),
              "" + pairs);
      expect(acceptor, "ready");
      Process connector =
          ns.spawn(
              Namespaces.A,
              "python3",
              "-c",
              """
          import socket, sys, time
          held = [socket.create_connection(('127.0.0.1', %d)) for i in range(int(sys.argv[1]))]
          print('held', flush=True)
          time.sleep(3600)
          """
                  .formatted(PORT),
              "" + pairs);
      expect(connector, "held");
      expect(acceptor, "held");
      for (Scope scope : List.of(new Scope(Namespaces.inode(Namespaces.A)), Scope.HOST)) {
        try (TcpProbe probe = new TcpProbe()) {
          long t0 = System.nanoTime();
          probe.start(Namespaces.context(scope, Namespaces.running()));
          long startMs = (System.nanoTime() - t0) / 1_000_000;
          List<Double> ms = new ArrayList<>();
          List<Double> cpu = new ArrayList<>();
          int[] rows = new int[1];
          for (int i = 0; i < 12; i++) {
            rows[0] = 0;
            long s = System.nanoTime();
            long c = THREADS.getCurrentThreadCpuTime();
            probe.sample(r -> rows[0]++);
            cpu.add((THREADS.getCurrentThreadCpuTime() - c) / 1e6);
            ms.add((System.nanoTime() - s) / 1e6);
          }
          System.out.printf(
              "BENCH tcp %s: %d connection pairs, %d rows, start+seed %d ms; sample wall median %.1f ms,"
                  + " CPU (user+sys of the sampling thread) median %.1f ms, min %.1f ms; wall %s; cpu %s%n",
              scope.isHost() ? "host scope" : "netns scope",
              pairs,
              rows[0],
              startMs,
              median(ms),
              median(cpu),
              Collections.min(cpu.subList(2, cpu.size())),
              ms,
              cpu);
        }
      }
    }
  }

  private static double median(List<Double> values) {
    List<Double> warm = new ArrayList<>(values.subList(2, values.size()));
    Collections.sort(warm);
    return warm.get(warm.size() / 2);
  }

  private static void expect(Process p, String line) throws Exception {
    String got = new String(p.getInputStream().readNBytes(line.length() + 1)).strip();
    if (!got.equals(line)) {
      throw new IllegalStateException(
          "expected "
              + line
              + ", got "
              + got
              + ": "
              + new String(p.getErrorStream().readAllBytes()));
    }
  }

  @Test
  void holdsTheProbeUnderLoopbackLoad() throws Exception {
    int seconds = Integer.getInteger("gala.bench.seconds", 30);
    try (Namespaces ns = Namespaces.create();
        TcpProbe probe = new TcpProbe()) {
      probe.start(Namespaces.context(Scope.HOST, Namespaces.running()));
      Process redis =
          ns.spawn(
              Namespaces.A,
              "redis-server",
              "--port",
              "" + REDIS_PORT,
              "--save",
              "",
              "--appendonly",
              "no");
      Thread.sleep(500);
      long end = System.currentTimeMillis() + seconds * 1000L;
      System.out.println("BENCH tcp probe loaded, redis-benchmark running for " + seconds + " s");
      while (System.currentTimeMillis() < end) {
        Process bench =
            ns.spawn(
                Namespaces.A,
                "redis-benchmark",
                "-p",
                "" + REDIS_PORT,
                "-c",
                "20",
                "-n",
                "200000",
                "-t",
                "get,set",
                "-q");
        long deadline = Math.min(end, System.currentTimeMillis() + 5000);
        while (bench.isAlive() && System.currentTimeMillis() < deadline) {
          probe.sample(r -> {});
          Thread.sleep(1000);
        }
        bench.destroyForcibly();
      }
      redis.destroyForcibly();
      System.out.println("BENCH tcp health " + probe.health());
    }
  }
}
