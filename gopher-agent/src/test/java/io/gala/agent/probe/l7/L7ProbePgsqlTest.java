package io.gala.agent.probe.l7;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.gala.agent.probe.ProbeConfig.ProcName;
import io.gala.agent.probe.ProbeConfig.Snoopers;
import io.gala.agent.table.Row;
import io.gala.agent.testing.KernelTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The l7 probe against PostgreSQL and pgbench over TCP: commits against the server's own {@code
 * pg_stat_database.xact_commit}, a failing statement against the error counts.
 */
@KernelTest
class L7ProbePgsqlTest {
  private static final int PORT = 15442;
  private static final String BIN = pgBin();
  private static Path dir;
  private static Process postgres;

  @BeforeAll
  static void startPostgres() throws Exception {
    dir = Files.createTempDirectory("gt-l7-pg");
    Servers.run(List.of("chown", "postgres", dir.toString()));
    Servers.run(
        List.of(
            "runuser",
            "-u",
            "postgres",
            "--",
            BIN + "/initdb",
            "-D",
            dir + "/data",
            "-A",
            "trust",
            "-U",
            "postgres"));
    postgres =
        new ProcessBuilder(
                "runuser",
                "-u",
                "postgres",
                "--",
                BIN + "/postgres",
                "-D",
                dir + "/data",
                "-p",
                Integer.toString(PORT),
                "-k",
                dir.toString(),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "autovacuum=off",
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("log").toFile())
            .start();
    Servers.awaitPort(PORT, postgres);
    Servers.run(
        List.of(
            "pgbench",
            "-i",
            "-s",
            "1",
            "-q",
            "-h",
            "127.0.0.1",
            "-p",
            Integer.toString(PORT),
            "-U",
            "postgres",
            "postgres"));
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    Servers.stop(postgres);
    Servers.run(List.of("rm", "-rf", dir.toString()));
  }

  @Test
  void countsCommitsAsPgStatDatabaseAndShowsAFailingStatement() throws Exception {
    long postmaster = postmasterPid();
    Snoopers snoopers =
        new Snoopers(
            List.of(postmaster), List.of(new ProcName("pgbench", "-p " + PORT)), List.of());
    try (L7Probe probe = new L7Probe()) {
      probe.start(Servers.context(snoopers, Map.of("ringbuf_kb", 65536)));
      int sessionsBefore = psqlSessions;
      long before = xactCommit(); // over the unix socket: not TCP, not seen
      Servers.run(
          List.of(
              "pgbench",
              "-n",
              "-h",
              "127.0.0.1",
              "-p",
              Integer.toString(PORT),
              "-U",
              "postgres",
              "-c",
              "4",
              "-j",
              "2",
              "-t",
              "300",
              "postgres"));
      Process failing =
          new ProcessBuilder(
                  "psql",
                  "-h",
                  "127.0.0.1",
                  "-p",
                  Integer.toString(PORT),
                  "-U",
                  "postgres",
                  "-c",
                  "select * from gala_no_such_table")
              .redirectErrorStream(true)
              .start();
      failing.waitFor();
      awaitClientsGone();
      // Each psql session over the unix socket commits its start and its query, flushed when it
      // exits:
      // the ones before the last read are in the delta but not in what the probe could see.
      int unseen = psqlSessions - sessionsBefore;
      long truth = xactCommit() - before - 2L * unseen;
      Thread.sleep(500);
      List<Row> rows = Servers.sample(probe);

      double commits =
          rows.stream()
              .filter(r -> r.table() == L7Tables.PG_TPS)
              .mapToDouble(r -> r.value("commit_count"))
              .sum();
      System.out.printf(
          "l7 pgsql: commits counted %.0f, xact_commit delta %d, health %s%n",
          commits, truth, probe.health());
      assertThat(commits).as("health %s", probe.health()).isCloseTo(truth, within(truth * 0.01));
      assertThat(rows)
          .filteredOn(r -> r.table() == L7Tables.PG_TPS)
          .allSatisfy(r -> assertThat(r.key("tgid")).isEqualTo(Long.toString(postmaster)));
      double serverErrors =
          rows.stream()
              .filter(
                  r ->
                      r.table() == L7Tables.RPC
                          && r.key("l7_role").equals("server")
                          && r.key("protocol").equals("pgsql"))
              .mapToDouble(r -> r.value("err_count"))
              .sum();
      assertThat(serverErrors).isEqualTo(1);
      assertThat(rows)
          .filteredOn(
              r ->
                  r.table() == L7Tables.RPC_API
                      && r.key("l7_role").equals("server")
                      && r.value("client_err_count") > 0)
          .extracting(r -> r.key("api"))
          .containsExactly("SELECT");
    }
  }

  private static long postmasterPid() throws Exception {
    return Long.parseLong(Files.readAllLines(dir.resolve("data/postmaster.pid")).get(0).strip());
  }

  private static long xactCommit() throws Exception {
    return Long.parseLong(
        psql("select xact_commit from pg_stat_database where datname = 'postgres'"));
  }

  private static void awaitClientsGone() throws Exception {
    for (int i = 0; i < 100; i++) {
      if (psql("select count(*) from pg_stat_activity where backend_type = 'client backend'"
              + " and pid <> pg_backend_pid()")
          .equals("0")) {
        return;
      }
      Thread.sleep(50);
    }
  }

  private static int psqlSessions;

  private static String psql(String sql) throws Exception {
    psqlSessions++;
    return Servers.run(
            List.of(
                "psql",
                "-h",
                dir.toString(),
                "-p",
                Integer.toString(PORT),
                "-U",
                "postgres",
                "-Atc",
                sql))
        .strip();
  }

  private static String pgBin() {
    try (var s = Files.list(Path.of("/usr/lib/postgresql"))) {
      return s.sorted().reduce((a, b) -> b).orElseThrow().resolve("bin").toString();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(
          "PostgreSQL is not installed under /usr/lib/postgresql: apt-get install" + " postgresql",
          e);
    }
  }
}
