package io.gala.server.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Grafana dashboards are well-formed: every panel has queries on the datasource variable, every
 * query names only gala series, and Prometheus' own parser (promtool) accepts every query with the
 * dashboard variables substituted. Whether each query returns data: {@link DashboardsKernelTest}
 * (agent dashboards) and {@link PrometheusScrapeTest} (topology).
 */
class DashboardsTest {
  static final Path DASHBOARDS = Path.of("..", "grafana-dashboards");
  static final Path PROMETHEUS_CONFIG = Path.of("..", "deploy", "prometheus", "prometheus.yml");

  record Query(String dashboard, String panel, String expr) {}

  static List<Query> queries() throws IOException {
    List<Query> out = new ArrayList<>();
    JsonMapper json = JsonMapper.builder().build();
    try (Stream<Path> files = Files.list(DASHBOARDS)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
        JsonNode d = json.readTree(f.toFile());
        for (JsonNode p : d.get("panels")) {
          for (JsonNode t : p.path("targets")) {
            out.add(
                new Query(
                    f.getFileName().toString(), p.get("title").asText(), t.get("expr").asText()));
          }
        }
      }
    }
    return out;
  }

  /** The query as Prometheus sees it once Grafana has substituted the variables for "All". */
  static String substituted(String expr) {
    return expr.replace("${types:regex}", "host|appinstance|proc|container")
        .replace("$__rate_interval", "1m")
        .replaceAll("\\$\\w+", ".*");
  }

  @Test
  void everyPanelQueriesGalaSeriesThroughTheDatasourceVariable() throws IOException {
    List<Query> queries = queries();
    assertThat(queries).hasSizeGreaterThan(40);
    assertThat(queries)
        .extracting(Query::dashboard)
        .contains(
            "node-overview.json",
            "tcp-links.json",
            "block-io.json",
            "processes-containers.json",
            "topology.json");
    for (Query q : queries) {
      assertThat(q.expr())
          .as("%s / %s", q.dashboard(), q.panel())
          .containsPattern("gala_(gopher|server|topology)_");
    }
    String tcp =
        queries.stream()
            .filter(q -> q.dashboard().equals("tcp-links.json"))
            .map(Query::expr)
            .toList()
            .toString();
    assertThat(tcp)
        .contains(
            "gala_gopher_tcp_link_srtt_seconds_bucket",
            "gala_gopher_tcp_link_retran_packets",
            "gala_gopher_tcp_link_drops",
            "gala_gopher_tcp_drop_packets");
  }

  @Test
  void everyAgentMetricADashboardQueriesIsDeclaredByAProbe() throws IOException {
    String declared = Files.readString(Path.of("..", "docs", "metrics.md"));
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("gala_gopher_\\w+")
            .matcher(queries().stream().map(Query::expr).reduce("", (a, b) -> a + "\n" + b));
    java.util.Set<String> missing = new java.util.TreeSet<>();
    while (m.find()) {
      String name = m.group();
      String histogram = name.replaceAll("_(bucket|sum|count)$", "");
      if (!declared.contains("`" + name + "`")
          && !declared.contains("`" + histogram + "` | histogram")) {
        missing.add(name);
      }
    }
    assertThat(missing).as("queried by a dashboard but not in docs/metrics.md").isEmpty();
  }

  @Test
  void prometheusParsesEveryQueryAndTheScrapeConfig(@TempDir Path tmp) throws Exception {
    assumeTrue(
        Files.isExecutable(Path.of("/usr/bin/promtool")),
        "promtool not installed: apt-get install prometheus (Debian) to check the dashboard queries");
    StringBuilder rules = new StringBuilder("groups:\n- name: dashboards\n  rules:\n");
    int n = 0;
    for (Query q : queries()) {
      String e = substituted(q.expr()).replace("\\", "\\\\").replace("\"", "\\\"");
      rules
          .append("  - record: gala:dashboard_query_")
          .append(n++)
          .append("\n    expr: \"")
          .append(e)
          .append("\"\n");
    }
    Path file = tmp.resolve("rules.yml");
    Files.writeString(file, rules);
    assertThat(promtool("check", "rules", file.toString()))
        .contains("SUCCESS: " + n + " rules found");
    assertThat(promtool("check", "config", "--syntax-only", PROMETHEUS_CONFIG.toString()))
        .contains("SUCCESS");
  }

  static String promtool(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("/usr/bin/promtool"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("promtool %s:\n%s", String.join(" ", args), out).isZero();
    return out;
  }
}
