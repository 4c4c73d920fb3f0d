package io.gala.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * pgbench against a PostgreSQL of this test's own over TCP (127.0.0.1), seen by the real agent: the
 * process-level topology groups the postmaster, its auxiliary processes and the four backends
 * serving pgbench into one postgres appinstance running on the host; pgbench connects a backend of
 * that instance on the test's port, and pgbench's appinstance connects the postgres appinstance.
 * (pgbench connects before the agent's tcp probe is loaded: its busy connections are first seen by
 * their I/O, see TcpProbePgbenchTest.)
 */
@Tag("kernel")
class PostgresTopologyKernelTest {
  static final int PG_PORT = 26432;

  static String pgBin() throws IOException {
    try (Stream<Path> s = Files.list(Path.of("/usr/lib/postgresql"))) {
      return s.sorted().reduce((a, b) -> b).orElseThrow().resolve("bin").toString();
    }
  }

  static void run(Path log, String... cmd) throws Exception {
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s timed out", String.join(" ", cmd)).isTrue();
    assertThat(p.exitValue())
        .as("%s failed:\n%s", String.join(" ", cmd), Files.readString(log, StandardCharsets.UTF_8))
        .isZero();
  }

  @Test
  void postgresBackendsServingPgbenchAreGroupedUnderTheirPostmaster(@TempDir Path tmp)
      throws Exception {
    Path pg = Files.createTempDirectory("gt-server-pg");
    Path log = tmp.resolve("pg.log");
    String bin = pgBin();
    String port = String.valueOf(PG_PORT);
    Process bench = null;
    try {
      run(log, "chown", "-R", "postgres:postgres", pg.toString());
      run(
          log,
          "runuser",
          "-u",
          "postgres",
          "--",
          bin + "/initdb",
          "-D",
          pg.resolve("data").toString(),
          "-A",
          "trust");
      run(
          log,
          "runuser",
          "-u",
          "postgres",
          "--",
          bin + "/pg_ctl",
          "-D",
          pg.resolve("data").toString(),
          "-w",
          "-l",
          pg.resolve("server.log").toString(),
          "-o",
          "-p " + port + " -k " + pg + " -c listen_addresses=127.0.0.1",
          "start");
      run(
          log,
          bin + "/pgbench",
          "-i",
          "-q",
          "-h",
          "127.0.0.1",
          "-p",
          port,
          "-U",
          "postgres",
          "postgres");
      try (Platform p = new Platform(tmp, "60s")) {
        p.startAgent("proc", "tcp");
        bench =
            new ProcessBuilder(
                    bin + "/pgbench",
                    "-h",
                    "127.0.0.1",
                    "-p",
                    port,
                    "-U",
                    "postgres",
                    "-c",
                    "4",
                    "-T",
                    "600",
                    "-S",
                    "postgres")
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve("bench.log").toFile())
                .start();
        String backends = "127.0.0.1(";
        JsonNode t;
        try {
          t =
              p.await(
                  "process",
                  topo ->
                      postgresApps(topo).stream()
                              .anyMatch(
                                  app ->
                                      members(topo, app).stream()
                                              .filter(
                                                  m ->
                                                      Platform.node(topo, m)
                                                          .path("attributes")
                                                          .path("cmdline")
                                                          .asText()
                                                          .contains(backends))
                                              .count()
                                          >= 4)
                          && connect(topo, port) != null,
                  () -> {});
        } catch (AssertionError e) {
          throw new AssertionError(
              describe(p.get("/api/v1/topology?level=process"))
                  + "\npgbench log:\n"
                  + Platform.tail(tmp.resolve("bench.log")),
              e);
        }
        String app =
            postgresApps(t).stream()
                .filter(a -> members(t, a).size() >= 5)
                .findFirst()
                .orElseThrow();
        String root = Platform.node(t, app).path("attributes").path("root_tgid").asText();
        List<String> procs = members(t, app);
        // The postmaster is the root; every member is a postgres process of it on the agent's host.
        assertThat(procs).contains(p.id("proc", root));
        assertThat(Platform.node(t, p.id("proc", root)).path("attributes").path("cmdline").asText())
            .contains("-p " + port);
        JsonNode edge = connect(t, port);
        assertThat(procs)
            .as("pgbench connects a member of the postgres appinstance: %s", edge)
            .contains(edge.get("to").asText());
        String benchApp =
            Platform.byComm(t, "appinstance", "pgbench").stream()
                .map(n -> n.get("id").asText())
                .filter(a -> Platform.hasEdge(t, "belongs_to", edge.get("from").asText(), a))
                .findFirst()
                .orElseThrow();
        assertThat(Platform.edges(t, "connect"))
            .anyMatch(
                e ->
                    e.get("from").asText().equals(benchApp)
                        && e.get("to").asText().equals(app)
                        && e.get("detail").asText().equals(port));
        for (String proc : procs) {
          JsonNode n = Platform.node(t, proc);
          assertThat(n.path("attributes").path("comm").asText()).isEqualTo("postgres");
          assertThat(
                  proc.equals(p.id("proc", root))
                      || n.path("attributes").path("ppid").asText().equals(root))
              .isTrue();
          assertThat(Platform.hasEdge(t, "runs_on", proc, p.id("host"))).isTrue();
        }
      }
    } finally {
      if (bench != null) {
        bench.destroyForcibly();
      }
      new ProcessBuilder(
              "runuser",
              "-u",
              "postgres",
              "--",
              bin + "/pg_ctl",
              "-D",
              pg.resolve("data").toString(),
              "-m",
              "immediate",
              "stop")
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start()
          .waitFor(30, TimeUnit.SECONDS);
      new ProcessBuilder("rm", "-rf", pg.toString()).start().waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** The postgres and pgbench parts of a topology, for a failure message. */
  static String describe(JsonNode t) {
    StringBuilder b = new StringBuilder("postgres/pgbench nodes and their edges:\n");
    List<String> ids = new ArrayList<>();
    for (JsonNode n : t.get("nodes")) {
      String comm = n.path("attributes").path("comm").asText();
      if (comm.equals("postgres") || comm.equals("pgbench")) {
        ids.add(n.get("id").asText());
        b.append(n).append('\n');
      }
    }
    for (JsonNode e : t.get("edges")) {
      if (ids.contains(e.get("from").asText()) && !e.get("type").asText().equals("runs_on")) {
        b.append(e).append('\n');
      }
    }
    return b.toString();
  }

  /** The proc-level connect edge pgbench -> a postgres process on the port, or null. */
  static JsonNode connect(JsonNode t, String port) {
    List<String> clients =
        Platform.byComm(t, "proc", "pgbench").stream().map(n -> n.get("id").asText()).toList();
    List<String> servers =
        Platform.byComm(t, "proc", "postgres").stream().map(n -> n.get("id").asText()).toList();
    for (JsonNode e : Platform.edges(t, "connect")) {
      if (clients.contains(e.get("from").asText())
          && servers.contains(e.get("to").asText())
          && e.get("detail").asText().equals(port)) {
        return e;
      }
    }
    return null;
  }

  /** The postgres appinstances serving this test's port (their root's cmdline names it). */
  static List<String> postgresApps(JsonNode t) {
    List<String> out = new ArrayList<>();
    for (JsonNode n : Platform.byComm(t, "appinstance", "postgres")) {
      if (n.path("attributes").path("cmdline").asText().contains("-p " + PG_PORT)) {
        out.add(n.get("id").asText());
      }
    }
    return out;
  }

  static List<String> members(JsonNode t, String app) {
    List<String> out = new ArrayList<>();
    for (JsonNode e : Platform.edges(t, "belongs_to")) {
      if (e.get("to").asText().equals(app)) {
        out.add(e.get("from").asText());
      }
    }
    return out;
  }
}
