package io.gala.agent.probe.l7;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.gala.agent.probe.ProbeConfig.ProcName;
import io.gala.agent.probe.ProbeConfig.Snoopers;
import io.gala.agent.table.Row;
import io.gala.agent.testing.KernelTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The l7 probe against redis-server and redis-benchmark: per-command counts against the server's
 * own INFO commandstats, the client-side mean latency against redis-benchmark's own average.
 */
@KernelTest
class L7ProbeRedisTest {
  private static final int PORT = 16391;
  private static final List<String> TESTS =
      List.of("ping_inline", "ping_mbulk", "set", "get", "incr", "lpush", "lrange_100");

  /**
   * 64 MiB: the shared test machine runs at a load of 10-20 on 2 CPUs, and a starved reader must
   * not lose events (the default 8 MiB holds about 1.5 s of this benchmark).
   */
  private static final int RINGBUF_KB = 65536;

  private static Process redis;

  @BeforeAll
  static void startRedis() throws Exception {
    redis =
        Servers.start(
            List.of(
                "redis-server",
                "--port",
                Integer.toString(PORT),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--protected-mode",
                "no"));
    Servers.awaitPort(PORT, redis);
  }

  @AfterAll
  static void stopRedis() throws Exception {
    Servers.stop(redis);
  }

  /**
   * Both capture paths: the socket tracepoints (6.3+) and the syscall tracepoints of older kernels.
   */
  @ParameterizedTest
  @ValueSource(strings = {"sockets", "syscalls"})
  void countsBenchmarkCommandsAsRedisDoesAndMeasuresTheClientsLatency(String hook)
      throws Exception {
    Snoopers snoopers =
        new Snoopers(
            List.of(redis.pid()),
            List.of(new ProcName("redis-benchmark", "-p " + PORT)),
            List.of());
    try (L7Probe probe = new L7Probe()) {
      probe.start(
          Servers.context(snoopers, Map.of("capture_hook", hook, "ringbuf_kb", RINGBUF_KB)));
      Map<String, Long> before = RedisCommandStats.read(List.of("-p", Integer.toString(PORT)));
      Process bench =
          new ProcessBuilder(
                  "redis-benchmark",
                  "-p",
                  Integer.toString(PORT),
                  "-c",
                  "20",
                  "-n",
                  "5000",
                  "-t",
                  String.join(",", TESTS),
                  "--csv")
              .redirectErrorStream(true)
              .start();
      // Snoop the benchmark as soon as it exists: its first requests go out before the probe can
      // know it.
      while (bench.isAlive()) {
        Servers.sample(probe);
        Thread.sleep(20);
      }
      String csv = new String(bench.getInputStream().readAllBytes());
      assertThat(bench.exitValue()).as(csv).isZero();
      Map<String, Long> after = RedisCommandStats.read(List.of("-p", Integer.toString(PORT)));
      List<Row> rows = Servers.drained(probe);
      Map<String, Long> health = probe.health();

      assertThat(health.get("events_lost")).as("ring buffer overflow: %s", health).isZero();
      Map<String, Double> server = RedisCommandStats.apiCounts(rows, redis.pid(), "server");
      for (String cmd : List.of("PING", "SET", "GET", "INCR", "LPUSH", "LRANGE")) {
        long truth = after.getOrDefault(cmd, 0L) - before.getOrDefault(cmd, 0L);
        System.out.printf(
            "l7 redis " + hook + ": %s server-side %.0f, INFO commandstats delta %d%n",
            cmd,
            server.get(cmd),
            truth);
        assertThat(server.getOrDefault(cmd, 0.0))
            .as("%s (INFO commandstats delta %d), health %s", cmd, truth, health)
            .isCloseTo(truth, within(truth * 0.01));
      }
      // redis-benchmark's average latency per test, weighted by its request count (equal for all).
      double benchAvgMs =
          csv.lines()
              .filter(l -> l.startsWith("\"") && !l.startsWith("\"test\""))
              .mapToDouble(l -> Double.parseDouble(l.split("\",\"")[2]))
              .average()
              .orElseThrow();
      Row client =
          rows.stream()
              .filter(
                  r ->
                      r.table() == L7Tables.RPC
                          && r.key("tgid").equals(Long.toString(bench.pid()))
                          && r.key("l7_role").equals("client"))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no client row"));
      double clientAvgMs = client.value("latency_sum") / client.value("resp_count") / 1e6;
      System.out.printf(
          "l7 redis "
              + hook
              + ": client mean %.4f ms over %.0f responses, redis-benchmark avg %.4f ms%n",
          clientAvgMs,
          client.value("resp_count"),
          benchAvgMs);
      assertThat(clientAvgMs)
          .as("client mean vs redis-benchmark avg %.3f ms", benchAvgMs)
          .isCloseTo(benchAvgMs, within(benchAvgMs * 0.15));
    }
  }
}
