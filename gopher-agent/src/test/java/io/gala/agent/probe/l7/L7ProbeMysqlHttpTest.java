package io.gala.agent.probe.l7;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.gala.agent.probe.ProbeConfig.ProcName;
import io.gala.agent.probe.ProbeConfig.Snoopers;
import io.gala.agent.table.Row;
import io.gala.agent.testing.KernelTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The l7 probe against MariaDB + sysbench (statement counts against SHOW GLOBAL STATUS Com_*) and
 * nginx + wrk (requests against the access log's lines).
 */
@KernelTest
class L7ProbeMysqlHttpTest {
  private static final int MYSQL_PORT = 13316;
  private static final int HTTP_PORT = 18091;
  private static Path dir;
  private static Process mariadb;
  private static Process nginx;

  @BeforeAll
  static void startServers() throws Exception {
    dir = Files.createTempDirectory("gt-l7-srv");
    Servers.run(List.of("chown", "mysql", dir.toString()));
    Servers.run(
        List.of(
            "mariadb-install-db",
            "--user=mysql",
            "--datadir=" + dir + "/my",
            "--auth-root-authentication-method=normal"));
    mariadb =
        Servers.start(
            List.of(
                "mariadbd",
                "--user=mysql",
                "--datadir=" + dir + "/my",
                "--port=" + MYSQL_PORT,
                "--bind-address=127.0.0.1",
                "--socket=" + dir + "/my.sock",
                "--pid-file=" + dir + "/my.pid",
                "--skip-log-bin",
                "--innodb-flush-log-at-trx-commit=0"));
    Servers.awaitPort(MYSQL_PORT, mariadb);
    sql(
        "create database sbtest; create user 'gala'@'127.0.0.1' identified by 'gala';"
            + " grant all on *.* to 'gala'@'127.0.0.1'");
    Servers.run(sysbench("prepare", 0));

    Files.createDirectories(dir.resolve("html"));
    Files.writeString(dir.resolve("html/index.html"), "hello from gala l7\n".repeat(50));
    Servers.run(List.of("chmod", "-R", "a+rX", dir.toString())); // nginx workers run as www-data
    Files.writeString(
        dir.resolve("nginx.conf"),
        """
        worker_processes 2;
        pid %1$s/nginx.pid;
        error_log %1$s/error.log;
        events { worker_connections 256; }
        http {
          access_log %1$s/access.log;
          client_body_temp_path %1$s/body;
          proxy_temp_path %1$s/proxy;
          fastcgi_temp_path %1$s/fcgi;
          uwsgi_temp_path %1$s/uwsgi;
          scgi_temp_path %1$s/scgi;
          server {
            listen 127.0.0.1:%2$d;
            root %1$s/html;
            location /missing { return 404; }
          }
        }
        """
            .formatted(dir, HTTP_PORT));
    nginx = Servers.start(List.of("nginx", "-g", "daemon off;", "-c", dir + "/nginx.conf"));
    Servers.awaitPort(HTTP_PORT, nginx);
  }

  @AfterAll
  static void stopServers() throws Exception {
    Servers.stop(nginx);
    Servers.stop(mariadb);
    Servers.run(List.of("rm", "-rf", dir.toString()));
  }

  @Test
  void countsSysbenchStatementsAsMariadbDoes() throws Exception {
    Snoopers snoopers =
        new Snoopers(
            List.of(mariadb.pid()),
            List.of(new ProcName("sysbench", "--mysql-port=" + MYSQL_PORT)),
            List.of());
    try (L7Probe probe = new L7Probe()) {
      probe.start(Servers.context(snoopers, Map.of("l7_protocol", "mysql", "ringbuf_kb", 65536)));
      Map<String, Long> before = status();
      Servers.run(sysbench("run", 200));
      Map<String, Long> after = status();
      Thread.sleep(500);
      List<Row> rows = Servers.sample(probe);

      Map<String, Double> server = new HashMap<>();
      for (Row r : rows) {
        if (r.table() == L7Tables.RPC_API && r.key("l7_role").equals("server")) {
          server.merge(r.key("api"), r.value("req_count"), Double::sum);
        }
      }
      for (String kind : List.of("SELECT", "UPDATE", "INSERT", "DELETE", "BEGIN", "COMMIT")) {
        long truth =
            after.get("Com_" + kind.toLowerCase()) - before.get("Com_" + kind.toLowerCase());
        System.out.printf(
            "l7 mysql: %s server-side %.0f, Com_%s delta %d%n",
            kind, server.get(kind), kind.toLowerCase(), truth);
        assertThat(server.getOrDefault(kind, 0.0))
            .as(kind + ", health " + probe.health())
            .isCloseTo(truth, within(Math.max(1, truth * 0.01)));
      }
    }
  }

  @Test
  void countsWrkRequestsAsTheAccessLogDoes() throws Exception {
    // The workers were forked before the probe started: snoop them by id (a later fork would
    // inherit).
    List<Long> pids = new java.util.ArrayList<>(List.of(nginx.pid()));
    nginx.toHandle().children().forEach(c -> pids.add(c.pid()));
    Snoopers snoopers = new Snoopers(pids, List.of(), List.of());
    try (L7Probe probe = new L7Probe()) {
      probe.start(Servers.context(snoopers, Map.of("l7_protocol", "http", "ringbuf_kb", 65536)));
      long before = accessLogLines();
      Servers.run(
          List.of(
              "wrk",
              "-t",
              "1",
              "-c",
              "8",
              "-d",
              "3s",
              "http://127.0.0.1:" + HTTP_PORT + "/index.html"));
      Servers.run(
          List.of("curl", "-s", "-o", "/dev/null", "http://127.0.0.1:" + HTTP_PORT + "/missing"));
      Thread.sleep(500);
      long truth = accessLogLines() - before;
      List<Row> rows = Servers.sample(probe);

      double requests = 0;
      double clientErrors = 0;
      for (Row r : rows) {
        if (r.table() == L7Tables.RPC && r.key("l7_role").equals("server")) {
          requests += r.value("req_count");
          clientErrors += r.value("err_count");
        }
      }
      System.out.printf(
          "l7 http: server-side %.0f requests, access log %d lines, health %s%n",
          requests, truth, probe.health());
      assertThat(requests).isCloseTo(truth, within(Math.max(1, truth * 0.01)));
      assertThat(clientErrors)
          .as("the one 404; the access log has %s", statusCounts())
          .isEqualTo(1);
    }
  }

  private static List<String> sysbench(String command, int events) {
    return List.of(
        "sysbench",
        "oltp_read_write",
        "--mysql-host=127.0.0.1",
        "--mysql-port=" + MYSQL_PORT,
        "--mysql-user=gala",
        "--mysql-password=gala",
        "--tables=1",
        "--table-size=1000",
        "--threads=2",
        "--events=" + events,
        "--time=0",
        command);
  }

  private static Map<String, Long> status() throws Exception {
    Map<String, Long> out = new HashMap<>();
    for (String line : sql("show global status like 'Com_%'").split("\n")) {
      String[] f = line.split("\t");
      if (f.length == 2 && f[1].strip().matches("\\d+")) {
        out.put(f[0], Long.parseLong(f[1].strip()));
      }
    }
    return out;
  }

  /** Over the unix socket: not TCP, so not seen by the probe. */
  private static String sql(String statements) throws Exception {
    return Servers.run(
        List.of("mariadb", "-S", dir + "/my.sock", "-uroot", "-N", "-e", statements));
  }

  private static Map<String, Long> statusCounts() throws Exception {
    Map<String, Long> out = new HashMap<>();
    for (String line : Files.readAllLines(dir.resolve("access.log"))) {
      String[] f = line.split("\"")[2].strip().split(" ");
      out.merge(f[0], 1L, Long::sum);
    }
    return out;
  }

  private static long accessLogLines() throws Exception {
    Path log = dir.resolve("access.log");
    return Files.exists(log) ? Files.readAllLines(log).size() : 0;
  }
}
