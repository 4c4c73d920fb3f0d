package io.gala.agent.probe.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.gala.agent.probe.Scope;
import io.gala.agent.table.Row;
import io.gala.agent.testing.KernelTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * pgbench against a PostgreSQL of this test's own over 127.0.0.1, both ends on this host: every
 * established connection {@code ss -tnp} shows is one tcp_link row with the role, ports and owner
 * ss gives, for connections that predate the probe (busy ones: the first the probe sees of them is
 * their I/O) as for those opened after it. Ports 16501 (ports of the e2e tests: 16500-16549).
 */
@KernelTest
class TcpProbePgbenchTest {
  private static final int PORT = 16501;

  /** ss -tnpH: state, recv-q, send-q, local, peer, users:(("comm",pid=N,fd=M)). */
  private static final Pattern SS_LINE =
      Pattern.compile(
          "^\\S+\\s+\\d+\\s+\\d+\\s+\\S+:(\\d+)\\s+\\S+:(\\d+)\\s+users:\\(\\(\"([^\"]*)\",pid=(\\d+),");

  private static Path dir;
  private static String bin;
  private static final List<Process> children = new ArrayList<>();

  @BeforeAll
  static void startPostgres() throws Exception {
    try (Stream<Path> s = Files.list(Path.of("/usr/lib/postgresql"))) {
      bin = s.sorted().reduce((a, b) -> b).orElseThrow().resolve("bin").toString();
    }
    dir = Files.createTempDirectory("gt-e2e-pg");
    Namespaces.run("chown", "-R", "postgres:postgres", dir.toString());
    Namespaces.run(
        "runuser",
        "-u",
        "postgres",
        "--",
        bin + "/initdb",
        "-D",
        dir.resolve("data").toString(),
        "-A",
        "trust");
    Namespaces.run(
        "runuser",
        "-u",
        "postgres",
        "--",
        bin + "/pg_ctl",
        "-D",
        dir.resolve("data").toString(),
        "-w",
        "-l",
        dir.resolve("server.log").toString(),
        "-o",
        "-p " + PORT + " -k " + dir + " -c listen_addresses=127.0.0.1",
        "start");
    Namespaces.run(
        bin + "/pgbench",
        "-i",
        "-q",
        "-h",
        "127.0.0.1",
        "-p",
        "" + PORT,
        "-U",
        "postgres",
        "postgres");
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    for (Process p : children) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
    if (dir != null) {
      new ProcessBuilder(
              "runuser",
              "-u",
              "postgres",
              "--",
              bin + "/pg_ctl",
              "-D",
              dir.resolve("data").toString(),
              "-m",
              "immediate",
              "stop")
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start()
          .waitFor(30, TimeUnit.SECONDS);
      new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor(30, TimeUnit.SECONDS);
    }
  }

  private static Process pgbench(int clients) throws IOException {
    Process p =
        new ProcessBuilder(
                bin + "/pgbench",
                "-h",
                "127.0.0.1",
                "-p",
                "" + PORT,
                "-U",
                "postgres",
                "-c",
                "" + clients,
                "-T",
                "60",
                "-S",
                "postgres")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    children.add(p);
    return p;
  }

  @Test
  void reportsBothEndsOfEveryPgbenchConnectionAsSsShowsThem() throws Exception {
    Process before = pgbench(4);
    awaitConnections(before.pid(), 4);
    try (TcpProbe probe = new TcpProbe()) {
      probe.start(Namespaces.context(Scope.HOST, Namespaces.running()));
      Process after = pgbench(2);
      awaitConnections(after.pid(), 2);
      Thread.sleep(500);
      probe.sample(r -> {});
      List<String> ss = established();
      List<Row> rows = new ArrayList<>();
      probe.sample(rows::add);
      List<Row> links = rows.stream().filter(r -> r.table().name().equals("tcp_link")).toList();

      Set<String> expected = new TreeSet<>();
      for (String line : ss) {
        Matcher m = SS_LINE.matcher(line);
        assertThat(m.find()).as("ss line %s", line).isTrue();
        int local = Integer.parseInt(m.group(1));
        int peer = Integer.parseInt(m.group(2));
        boolean server = local == PORT;
        expected.add(
            describe(
                m.group(4),
                server ? "server" : "client",
                server ? peer : local,
                PORT,
                server ? "postgres" : "pgbench"));
      }
      assertThat(expected).as("ss: 6 pgbench connections, both ends").hasSize(12);
      Set<String> reported =
          links.stream()
              .filter(
                  r ->
                      r.key("server_port").equals("" + PORT)
                          || r.key("client_port").equals("" + PORT))
              .map(
                  r ->
                      describe(
                          r.key("tgid"),
                          r.key("role"),
                          Integer.parseInt(r.key("client_port")),
                          Integer.parseInt(r.key("server_port")),
                          r.label("comm")))
              .collect(Collectors.toCollection(TreeSet::new));
      // Exactly ss's view: no end reported with its role (and so its ports) the wrong way round.
      assertThat(reported)
          .as("tcp_link rows on port %d vs ss -tnp:\n%s", PORT, String.join("\n", ss))
          .containsExactlyElementsOf(expected);
    }
  }

  private static String describe(
      String tgid, String role, int clientPort, int serverPort, String comm) {
    return "tgid="
        + tgid
        + " role="
        + role
        + " client_port="
        + clientPort
        + " server_port="
        + serverPort
        + " comm="
        + comm;
  }

  /** Established connections to or from the port, with their owners (ss -tnp). */
  private static List<String> established() throws Exception {
    String out =
        Namespaces.run(
            "ss",
            "-tnpH",
            "state",
            "established",
            "( sport = :" + PORT + " or dport = :" + PORT + " )");
    return out.lines().filter(l -> !l.isBlank()).map(l -> "ESTAB " + l.strip()).toList();
  }

  private static void awaitConnections(long pid, int n) throws Exception {
    long deadline = System.currentTimeMillis() + 30_000;
    while (established().stream().filter(l -> l.contains("pid=" + pid + ",")).count() < n) {
      assertThat(System.currentTimeMillis())
          .as("pgbench %d opens %d connections", pid, n)
          .isLessThan(deadline);
      Thread.sleep(100);
    }
  }
}
