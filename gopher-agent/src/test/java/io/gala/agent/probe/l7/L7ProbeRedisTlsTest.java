package io.gala.agent.probe.l7;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.gala.agent.probe.ProbeConfig.ProcName;
import io.gala.agent.probe.ProbeConfig.Snoopers;
import io.gala.agent.table.Row;
import io.gala.agent.testing.KernelTest;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The l7 probe on Redis over TLS (redis-server's built-in TLS, redis-benchmark --tls, both linked
 * to libssl.so.3): the plaintext comes from the OpenSSL uprobes, and per-command counts equal the
 * server's own INFO commandstats deltas; the ciphertext is skipped, so each request counts once.
 */
@KernelTest
class L7ProbeRedisTlsTest {
  private static final int PORT = 16385;
  private static final List<String> TESTS =
      List.of("ping_inline", "ping_mbulk", "set", "get", "incr");
  private static final int RINGBUF_KB = 65536;
  private static Path certs;
  private static Process redis;

  @BeforeAll
  static void startRedis() throws Exception {
    certs = Files.createTempDirectory("gt-l7tls-");
    Servers.run(
        List.of(
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            certs.resolve("key.pem").toString(),
            "-out",
            certs.resolve("cert.pem").toString()));
    redis =
        Servers.start(
            List.of(
                "redis-server",
                "--port",
                "0",
                "--tls-port",
                Integer.toString(PORT),
                "--bind",
                "127.0.0.1 ::1",
                "--tls-cert-file",
                cert(),
                "--tls-key-file",
                certs.resolve("key.pem").toString(),
                "--tls-ca-cert-file",
                cert(),
                "--tls-auth-clients",
                "no",
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
    if (certs != null) {
      try (Stream<Path> files = Files.walk(certs)) {
        for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(f);
        }
      }
    }
  }

  /**
   * Both capture paths, each of which must skip the ciphertext of calls inside SSL_read/SSL_write;
   * and IPv6, whose addresses the TLS path reads apart from IPv4's.
   */
  @ParameterizedTest
  @CsvSource({"sockets,127.0.0.1", "syscalls,127.0.0.1", "sockets,::1"})
  void countsEachTlsRequestOnceAsRedisDoes(String hook, String host) throws Exception {
    Snoopers snoopers =
        new Snoopers(
            List.of(redis.pid()),
            List.of(new ProcName("redis-benchmark", "-p " + PORT)),
            List.of());
    try (L7Probe probe = new L7Probe()) {
      probe.start(
          Servers.context(
              snoopers, Map.of("capture_hook", hook, "ringbuf_kb", RINGBUF_KB, "support_ssl", 1)));
      assertThat(probe.health().get("tls_libraries"))
          .as("libssl.so.3 attached: %s", probe.health())
          .isPositive();
      Map<String, Long> before =
          RedisCommandStats.read(
              List.of("--tls", "--cacert", cert(), "-p", Integer.toString(PORT)));
      Process bench =
          new ProcessBuilder(
                  List.of(
                      "redis-benchmark",
                      "--tls",
                      "--cacert",
                      cert(),
                      "-h",
                      host,
                      "-p",
                      Integer.toString(PORT),
                      "-c",
                      "10",
                      "-n",
                      "3000",
                      "-t",
                      String.join(",", TESTS),
                      "--csv"))
              .redirectErrorStream(true)
              .start();
      while (bench.isAlive()) {
        Servers.sample(probe);
        Thread.sleep(20);
      }
      String csv = new String(bench.getInputStream().readAllBytes());
      assertThat(bench.exitValue()).as(csv).isZero();
      Map<String, Long> after =
          RedisCommandStats.read(
              List.of("--tls", "--cacert", cert(), "-p", Integer.toString(PORT)));
      List<Row> rows = Servers.drained(probe);
      Map<String, Long> health = probe.health();
      System.out.println("l7 redis tls " + hook + " " + host + ": health " + health);

      assertThat(health.get("events_lost")).as("ring buffer overflow: %s", health).isZero();
      Map<String, Double> server = RedisCommandStats.apiCounts(rows, redis.pid(), "server");
      // The benchmark is snooped from the first sample that finds it: its first PINGs may go
      // unseen.
      Map<String, Double> client = RedisCommandStats.apiCounts(rows, bench.pid(), "client");
      for (String cmd : List.of("PING", "SET", "GET", "INCR")) {
        long truth = after.getOrDefault(cmd, 0L) - before.getOrDefault(cmd, 0L);
        System.out.printf(
            "l7 redis tls %s: %s server-side %.0f, client-side %.0f, INFO commandstats delta %d%n",
            hook, cmd, server.getOrDefault(cmd, 0.0), client.getOrDefault(cmd, 0.0), truth);
        assertThat(server.getOrDefault(cmd, 0.0))
            .as("%s (INFO commandstats delta %d), health %s", cmd, truth, health)
            .isCloseTo(truth, within(truth * 0.01));
        if (!cmd.equals("PING")) {
          assertThat(client.getOrDefault(cmd, 0.0))
              .as("client-side %s (INFO commandstats delta %d)", cmd, truth)
              .isCloseTo(truth, within(truth * 0.01));
        }
      }
      // Counted once: every request the server saw over any link of this server (plaintext or not),
      // against
      // every command Redis ran (the benchmark's CONFIG GET and the INFO of these snapshots
      // included).
      long allTruth =
          after.values().stream().mapToLong(Long::longValue).sum()
              - before.values().stream().mapToLong(Long::longValue).sum();
      List<Row> serverLinks = new ArrayList<>();
      for (Row r : rows) {
        if (r.table() == L7Tables.RPC
            && r.key("tgid").equals(Long.toString(redis.pid()))
            && r.key("l7_role").equals("server")) {
          serverLinks.add(r);
        }
      }
      double allSeen = serverLinks.stream().mapToDouble(r -> r.value("req_count")).sum();
      System.out.printf(
          "l7 redis tls %s: all server-side requests %.0f, all commands %d%n",
          hook, allSeen, allTruth);
      assertThat(allSeen)
          .as("requests over all links of redis-server vs INFO commandstats")
          .isCloseTo(allTruth, within(allTruth * 0.01));
      assertThat(serverLinks)
          .as("every Redis link of the server is a TLS plaintext stream")
          .allSatisfy(r -> assertThat(r.label("ssl")).isEqualTo("1"));
      assertThat(serverLinks)
          .as("the benchmark's link, by the server address it used")
          .anySatisfy(
              r ->
                  assertThat(InetAddress.getByName(r.key("server_ip")))
                      .isEqualTo(InetAddress.getByName(host)));
    }
  }

  private static String cert() {
    return certs.resolve("cert.pem").toString();
  }
}
