package io.gala.server.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The agent dashboards against the real thing: a real agent process (baseinfo, container, io, proc,
 * tcp, socket) is scraped every second by the real Prometheus (Debian package) while the traffic
 * every panel needs runs: TCP between two network namespaces of this test with 5 % of the segments
 * to the server dropped at random by nftables (retransmits, drops by reason), direct block I/O by
 * fio on a loop device of this test, and a busy process in a cgroup of this test named like a
 * docker container, under a CPU quota (throttling) and a memory limit. Every panel query of the
 * node overview, TCP links, block I/O and processes/containers dashboards, with the variables
 * substituted by this run's values as Grafana would (machine id, the loop disk, the server port;
 * the rate interval fixed), must return at least one series from Prometheus' HTTP API. The Topology
 * dashboard is evaluated against a scraped server by {@link PrometheusScrapeTest}; what only
 * Grafana can check is in docs/server.md, "Dashboards".
 */
@Tag("kernel")
class DashboardsKernelTest {
  static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
  static final Path AGENT_JAR = Path.of("..", "gopher-agent", "target", "gopher-agent.jar");
  static final List<String> DASHBOARDS =
      List.of("node-overview.json", "tcp-links.json", "block-io.json", "processes-containers.json");
  static final String NS_CLIENT = "gt-dash-a";
  static final String NS_SERVER = "gt-dash-b";
  static final String IP_CLIENT = "10.200.77.1";
  static final String IP_SERVER = "10.200.77.2";
  static final String NFT_TABLE = "gt_dash";
  static final int EXPORT_PORT = 16700;
  static final int CONTROL_PORT = 16701;
  static final int PROMETHEUS_PORT = 16702;
  static final int TCP_PORT = 16703;

  /**
   * $__rate_interval and $__interval. Scrapes every 2 s (the agent samples every second); Grafana's
   * $__rate_interval would be 8 s for a datasource set to 2 s, 30 s leaves room for a scrape that
   * times out on this shared 2-core machine.
   */
  static final String RATE_INTERVAL = "30s";

  static final String INTERVAL = "2s";

  /**
   * Panels that cannot have data on this machine, and why. Keyed by "dashboard / panel / metric".
   * Empty today: counters that only move on faults (block errors, NIC errors) are exported at 0
   * from the start, so their rate is a series of zeros, which is data.
   */
  static final Map<String, String> NO_DATA_HERE = Map.of();

  private final List<Process> children = new ArrayList<>();

  @Test
  void everyAgentDashboardPanelReturnsDataFromAScrapedAgentUnderTraffic(@TempDir Path tmp)
      throws Exception {
    assertThat(new com.sun.security.auth.module.UnixSystem().getUid())
        .as(
            "this test loads eBPF programs through the agent and creates namespaces: run it as root")
        .isZero();
    assertThat(AGENT_JAR)
        .as("agent jar missing: build it first (mvn -pl gopher-agent -am package)")
        .exists();
    assertThat(PROMETHEUS)
        .as("prometheus not installed: apt-get install prometheus (Debian)")
        .isExecutable();
    String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    String machineId = "gt-dash-" + suffix + "-127.0.0.1";
    String containerId = (suffix + "0".repeat(64)).substring(0, 64);
    String cgroup = "gt-dash-" + suffix + "/docker-" + containerId + ".scope";
    List<String> controllers = List.of("cpu", "cpuacct", "memory");
    String loop = null;
    try {
      // The agent first, so that the connection below is born under its tcp probe (connect
      // latency).
      startAgent(tmp, machineId, "gt-dash-" + suffix);
      Process prom = startPrometheus(tmp);
      HttpClient http = HttpClient.newHttpClient();
      awaitProbesUp(http, tmp);

      createNamespaces();
      spawn(
          tmp,
          "server",
          "ip",
          "netns",
          "exec",
          NS_SERVER,
          "python3",
          "-c",
          """
          import socket, threading
          s = socket.socket()
          s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
          s.bind(('%s', %d))
          s.listen(16)
          def serve(c):
              while True:
                  d = c.recv(65536)
                  if not d:
                      return
                  c.sendall(d[:512])
          while True:
              c, _ = s.accept()
              threading.Thread(target=serve, args=(c,), daemon=True).start()
          """
              .formatted(IP_SERVER, TCP_PORT));
      spawn(
          tmp,
          "client",
          "ip",
          "netns",
          "exec",
          NS_CLIENT,
          "python3",
          "-c",
          """
          import socket, time
          while True:
              try:
                  c = socket.create_connection(('%s', %d), timeout=5)
                  c.settimeout(None)
                  break
              except OSError:
                  time.sleep(0.2)
          c.setblocking(False)
          last = 0
          while True:
              if time.time() - last > 1:
                  # A fresh connection every second: the connect latency panel needs connections born
                  # within its rate window.
                  last = time.time()
                  try:
                      s = socket.create_connection(('%s', %d), timeout=3)
                      s.sendall(b'hello')
                      s.close()
                  except OSError:
                      pass
              try:
                  c.send(b'x' * 16384)
              except BlockingIOError:
                  pass
              try:
                  c.recv(65536)
              except BlockingIOError:
                  pass
              time.sleep(0.01)
          """
              .formatted(IP_SERVER, TCP_PORT, IP_SERVER, TCP_PORT));

      Path image = tmp.resolve("loop.img");
      try (var f = new java.io.RandomAccessFile(image.toFile(), "rw")) {
        f.setLength(64L << 20);
      }
      loop = run("losetup", "-f", "--show", image.toString()).trim();
      spawn(
          tmp,
          "fio",
          "fio",
          "--name=gt-dash",
          "--filename=" + loop,
          "--direct=1",
          "--rw=randrw",
          "--bs=4k",
          "--ioengine=psync",
          "--time_based",
          "--runtime=300",
          "--rate_iops=200",
          "--size=32m");

      for (String c : controllers) {
        Files.createDirectories(Path.of("/sys/fs/cgroup", c, cgroup));
      }
      Files.writeString(Path.of("/sys/fs/cgroup/cpu", cgroup, "cpu.cfs_quota_us"), "20000");
      Files.writeString(
          Path.of("/sys/fs/cgroup/memory", cgroup, "memory.limit_in_bytes"),
          String.valueOf(256L << 20));
      StringBuilder join = new StringBuilder();
      for (String c : controllers) {
        join.append("echo $$ > /sys/fs/cgroup/")
            .append(c)
            .append('/')
            .append(cgroup)
            .append("/cgroup.procs; ");
      }
      spawn(tmp, "busy", "sh", "-c", join + "exec python3 -c 'while True: pass'");

      String disk = Path.of(loop).getFileName().toString();
      Map<String, String> variables =
          Map.of(
              "machine_id",
              regexEscaped(machineId),
              "disk_name",
              disk,
              "server_port",
              String.valueOf(TCP_PORT),
              "__rate_interval",
              RATE_INTERVAL,
              "__interval",
              INTERVAL);
      List<DashboardsTest.Query> queries = new ArrayList<>();
      for (DashboardsTest.Query q : DashboardsTest.queries()) {
        if (DASHBOARDS.contains(q.dashboard()) && !NO_DATA_HERE.containsKey(key(q))) {
          queries.add(q);
        }
      }
      assertThat(queries).extracting(DashboardsTest.Query::dashboard).containsAll(DASHBOARDS);

      // Two scrape intervals after the traffic started at the least, then until every panel has
      // data or
      // 60 s passed (the rate window must first hold two samples of each new series).
      Thread.sleep(4_000);
      List<String> failed = new ArrayList<>();
      long deadline = System.currentTimeMillis() + 60_000;
      do {
        Thread.sleep(1_000);
        failed.clear();
        for (DashboardsTest.Query q : queries) {
          String expr = substitute(q.expr(), variables);
          JsonNode r = PrometheusScrapeTest.query(http, PROMETHEUS_PORT, expr);
          String problem = problem(q, r);
          if (problem != null) {
            failed.add(
                title(q)
                    + " / "
                    + q.panel()
                    + ": "
                    + expr
                    + " -> "
                    + problem
                    + ": "
                    + abbreviated(r));
          }
        }
      } while (!failed.isEmpty() && System.currentTimeMillis() < deadline);
      for (DashboardsTest.Query q : queries) {
        JsonNode r =
            PrometheusScrapeTest.query(http, PROMETHEUS_PORT, substitute(q.expr(), variables));
        System.out.printf(
            "%-75s series=%d max=%s%n", key(q), r.path("data").path("result").size(), max(r));
      }
      assertThat(failed)
          .as(
              "panels without data (dashboard / panel: query); scrapes: %s; agent log tail:\n%s\n"
                  + "prometheus log tail:\n%s",
              scrapes(http), tail(tmp.resolve("agent.log")), tail(tmp.resolve("prometheus.log")))
          .isEmpty();

      // The traffic did what the TCP panels are about: the kernel's own counters in each namespace.
      assertThat(nstat(NS_CLIENT, "TcpRetransSegs"))
          .as("retransmits in %s", NS_CLIENT)
          .isPositive();
      assertThat(run("ip", "netns", "exec", NS_SERVER, "nft", "list", "table", "inet", NFT_TABLE))
          .containsPattern("counter packets [1-9]");
      stop(prom);
    } finally {
      for (Process c : children) {
        stop(c);
      }
      runQuietly("ip", "netns", "exec", NS_SERVER, "nft", "delete", "table", "inet", NFT_TABLE);
      deleteNamespaces();
      if (loop != null) {
        runQuietly("losetup", "-d", loop);
      }
      for (String c : controllers) {
        Path dir = Path.of("/sys/fs/cgroup", c, cgroup);
        Files.deleteIfExists(dir);
        Files.deleteIfExists(dir.getParent());
      }
    }
  }

  /**
   * Panels about the faults this test injects: their value must be above 0, not merely present (a
   * series of zeros would pass a panel whose metric never moves). Keyed like {@link #key}.
   */
  static final List<String> MUST_MOVE =
      List.of(
          "tcp-links.json / Retransmitted segments / gala_gopher_tcp_link_retran_packets",
          "tcp-links.json / Dropped packets / gala_gopher_tcp_link_drops",
          "tcp-links.json / Drops by kernel reason / gala_gopher_tcp_drop_packets",
          "tcp-links.json / Bytes received / gala_gopher_tcp_link_rx_bytes",
          "tcp-links.json / Bytes sent / gala_gopher_tcp_link_tx_bytes",
          "block-io.json / Throughput / gala_gopher_block_read_bytes",
          "block-io.json / Throughput / gala_gopher_block_write_bytes",
          "block-io.json / IOPS / gala_gopher_block_read_ops",
          "block-io.json / IOPS / gala_gopher_block_write_ops",
          "block-io.json / Process block throughput / gala_gopher_proc_bio_read_bytes",
          "processes-containers.json / Container CPU / gala_gopher_container_cpu_usage_seconds_total",
          "processes-containers.json / Container CPU throttled / gala_gopher_container_cpu_cfs_throttled_seconds_total");

  /**
   * Why a panel's answer is not data, or null: an error, no series, only NaN (a quantile over a
   * window without observations draws nothing in Grafana), or zeros where the test's fault must
   * show.
   */
  static String problem(DashboardsTest.Query q, JsonNode r) {
    if (!r.path("status").asText().equals("success")) {
      return "query failed";
    }
    JsonNode result = r.path("data").path("result");
    if (result.isEmpty()) {
      return "no series";
    }
    double max = max(r);
    if (Double.isNaN(max)) {
      return "only NaN";
    }
    if (MUST_MOVE.contains(key(q)) && !(max > 0)) {
      return "all zero although the test's traffic moves it";
    }
    return null;
  }

  /** The largest non-NaN value of an instant-query answer, NaN when there is none. */
  static double max(JsonNode r) {
    double max = Double.NaN;
    for (JsonNode s : r.path("data").path("result")) {
      double v = Double.parseDouble(s.path("value").path(1).asText("NaN"));
      if (!Double.isNaN(v) && (Double.isNaN(max) || v > max)) {
        max = v;
      }
    }
    return max;
  }

  /** Scrapes in the last minute, how many succeeded, and the slowest, for a failure message. */
  static String scrapes(HttpClient http) throws IOException, InterruptedException {
    StringBuilder out = new StringBuilder();
    for (String q :
        List.of(
            "count_over_time(up[1m])",
            "sum_over_time(up[1m])",
            "max_over_time(scrape_duration_seconds[1m])")) {
      out.append(q)
          .append(" = ")
          .append(max(PrometheusScrapeTest.query(http, PROMETHEUS_PORT, q)))
          .append("; ");
    }
    return out.toString();
  }

  static String abbreviated(JsonNode r) {
    String s = r.toString();
    return s.length() > 600 ? s.substring(0, 600) + "..." : s;
  }

  static String key(DashboardsTest.Query q) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("gala_gopher_\\w+").matcher(q.expr());
    return q.dashboard() + " / " + q.panel() + " / " + (m.find() ? m.group() : q.expr());
  }

  /** The dashboard's title as Grafana shows it, for the failure message. */
  static String title(DashboardsTest.Query q) {
    try {
      JsonNode d =
          tools.jackson.databind.json.JsonMapper.builder()
              .build()
              .readTree(DashboardsTest.DASHBOARDS.resolve(q.dashboard()).toFile());
      return d.path("title").asText() + " (" + q.dashboard() + ")";
    } catch (RuntimeException e) {
      return q.dashboard();
    }
  }

  /** A value as Grafana puts it into a regex matcher (=~): regex metacharacters escaped. */
  static String regexEscaped(String value) {
    return value.replaceAll("([\\\\^$*+?.()|\\[\\]{}/])", "\\\\\\\\$1");
  }

  /** The query with $name and ${name} replaced; an unknown variable fails the test. */
  static String substitute(String expr, Map<String, String> variables) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\$\\{?(\\w+)\\}?").matcher(expr);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String v = variables.get(m.group(1));
      assertThat(v)
          .as("dashboard variable %s in %s has no value in this test", m.group(), expr)
          .isNotNull();
      m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(v));
    }
    m.appendTail(out);
    return out.toString();
  }

  void startAgent(Path dir, String machineId, String cgroupPrefix) throws Exception {
    Path config = dir.resolve("agent.json");
    Files.writeString(
        config,
        """
        {"machine_id": "%s", "host_ip": "127.0.0.1", "sample_period_ms": 1000,
         "default_probes": ["baseinfo", "container", "io", "proc", "tcp", "socket"],
         "export": {"address": "127.0.0.1", "port": %d},
         "control": {"address": "127.0.0.1", "port": %d, "probes_init": "%s"}}
        """
            .formatted(machineId, EXPORT_PORT, CONTROL_PORT, dir.resolve("probes.init")));
    children.add(
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-jar",
                AGENT_JAR.toString(),
                "--config",
                config.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("agent.log").toFile())
            .start());
    // The container probe watches this test's cgroups (besides real containers).
    HttpClient http = HttpClient.newHttpClient();
    String body =
        "{\"params\": {\"cgroup_prefixes\": \"system.slice,"
            + cgroupPrefix
            + "\"}, \"state\": \"running\"}";
    long deadline = System.currentTimeMillis() + 30_000;
    while (true) {
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + CONTROL_PORT + "/container"))
                    .PUT(HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("PUT /container %s: %s", body, r.body()).isEqualTo(200);
        return;
      } catch (IOException e) {
        assertThat(System.currentTimeMillis())
            .as(
                "agent control port %d never answered; agent log:\n%s",
                CONTROL_PORT, tail(dir.resolve("agent.log")))
            .isLessThan(deadline);
        Thread.sleep(300);
      }
    }
  }

  Process startPrometheus(Path dir) throws IOException {
    Files.writeString(
        dir.resolve("prometheus.yml"),
        """
        global: {scrape_interval: 2s, scrape_timeout: 2s, evaluation_interval: 2s}
        scrape_configs:
          - job_name: gala-agent
            honor_timestamps: true
            static_configs: [{targets: ["127.0.0.1:%d"]}]
        """
            .formatted(EXPORT_PORT));
    Process p =
        new ProcessBuilder(
                PROMETHEUS.toString(),
                "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("prometheus-data"),
                "--web.listen-address=127.0.0.1:" + PROMETHEUS_PORT)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("prometheus.log").toFile())
            .start();
    children.add(p);
    return p;
  }

  /** Until Prometheus has scraped the agent with all six probes up. */
  static void awaitProbesUp(HttpClient http, Path dir) throws Exception {
    long deadline = System.currentTimeMillis() + 40_000;
    JsonNode r;
    do {
      Thread.sleep(1_000);
      r = PrometheusScrapeTest.query(http, PROMETHEUS_PORT, "gala_gopher_agent_probe_up == 1");
    } while (r.path("data").path("result").size() < 6 && System.currentTimeMillis() < deadline);
    assertThat(r.path("data").path("result").size())
        .as("probes up as scraped: %s\nagent log:\n%s", r, tail(dir.resolve("agent.log")))
        .isGreaterThanOrEqualTo(6);
  }

  static void createNamespaces() throws Exception {
    deleteNamespaces();
    run("ip", "netns", "add", NS_CLIENT);
    run("ip", "netns", "add", NS_SERVER);
    run(
        "ip",
        "link",
        "add",
        "gt-dash-va",
        "netns",
        NS_CLIENT,
        "type",
        "veth",
        "peer",
        "name",
        "gt-dash-vb",
        "netns",
        NS_SERVER);
    run("ip", "-n", NS_CLIENT, "addr", "add", IP_CLIENT + "/24", "dev", "gt-dash-va");
    run("ip", "-n", NS_SERVER, "addr", "add", IP_SERVER + "/24", "dev", "gt-dash-vb");
    for (String ns : List.of(NS_CLIENT, NS_SERVER)) {
      run("ip", "-n", ns, "link", "set", "lo", "up");
      run("ip", "-n", ns, "link", "set", ns.equals(NS_CLIENT) ? "gt-dash-va" : "gt-dash-vb", "up");
    }
    // 5 % of the segments reaching the server port are dropped: retransmits on the client, drops by
    // reason (NETFILTER_DROP) on the server's end.
    run(
        "ip",
        "netns",
        "exec",
        NS_SERVER,
        "nft",
        "add table inet "
            + NFT_TABLE
            + "; add chain inet "
            + NFT_TABLE
            + " in { type filter hook input priority 0; }"
            + "; add rule inet "
            + NFT_TABLE
            + " in tcp dport "
            + TCP_PORT
            + " numgen random mod 100 < 5 counter drop");
  }

  static void deleteNamespaces() {
    runQuietly("ip", "netns", "delete", NS_CLIENT);
    runQuietly("ip", "netns", "delete", NS_SERVER);
  }

  static long nstat(String ns, String counter) throws Exception {
    String out = run("ip", "netns", "exec", ns, "nstat", "-az", counter);
    for (String line : out.split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length >= 2 && f[0].equals(counter)) {
        return Long.parseLong(f[1]);
      }
    }
    throw new AssertionError("nstat in " + ns + " has no " + counter + ":\n" + out);
  }

  void spawn(Path dir, String name, String... cmd) throws IOException {
    children.add(
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve(name + ".log").toFile())
            .start());
  }

  static void stop(Process p) throws InterruptedException {
    p.descendants().forEach(ProcessHandle::destroy);
    p.destroy();
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      p.waitFor(5, TimeUnit.SECONDS);
    }
  }

  static String run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("%s timed out", String.join(" ", cmd)).isTrue();
    assertThat(p.exitValue()).as("%s:\n%s", String.join(" ", cmd), out).isZero();
    return out;
  }

  static void runQuietly(String... cmd) {
    try {
      Process p =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      p.waitFor(30, TimeUnit.SECONDS);
    } catch (IOException | InterruptedException e) {
      // Cleanup of something that may not exist: nothing to do.
    }
  }

  static String tail(Path log) throws IOException {
    if (!Files.exists(log)) {
      return "(no log)";
    }
    List<String> lines = Files.readAllLines(log);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
  }
}
