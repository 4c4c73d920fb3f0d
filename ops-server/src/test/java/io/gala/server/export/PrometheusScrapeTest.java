package io.gala.server.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gala.server.ingest.IngestedBatch;
import io.gala.server.ingest.IngestedRecord;
import io.gala.server.ingest.Ingestor;
import io.gala.server.topology.SnapshotTaker;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The real Prometheus (Debian package) scrapes a running server's /actuator/prometheus while
 * agents' records flow in and snapshots are taken; after two scrape intervals every query of the
 * Topology dashboard returns data. The agent dashboards: {@link DashboardsKernelTest}.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "gala.topology.startup-grace=1h",
      "gala.ingest.kafka.enabled=false",
      "gala.topology.data-dir="
    })
@DirtiesContext
class PrometheusScrapeTest {
  static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
  static final String A = "prom-a-10.0.0.1";
  static final String B = "prom-b-10.0.0.2";

  @LocalServerPort int port;
  @Autowired Ingestor ingestor;
  @Autowired SnapshotTaker taker;

  static IngestedRecord link(String mid, long t, String role, int tgid) {
    Map<String, String> keys = new LinkedHashMap<>();
    keys.put("tgid", String.valueOf(tgid));
    keys.put("role", role);
    keys.put("client_ip", "10.0.0.1");
    keys.put("client_port", "40000");
    keys.put("server_ip", "10.0.0.2");
    keys.put("server_port", "6379");
    return IngestedRecord.of(
        mid,
        "tcp_link",
        "tcp_link",
        t,
        keys,
        Map.of("comm", role + "-app"),
        Map.of("rx_bytes", 1.0));
  }

  @Test
  void everyTopologyDashboardQueryReturnsDataFromAScrapedServer(@TempDir Path tmp)
      throws Exception {
    assumeTrue(
        Files.isExecutable(PROMETHEUS),
        "prometheus not installed: apt-get install prometheus (Debian)");
    int promPort;
    try (ServerSocket s = new ServerSocket(0)) {
      promPort = s.getLocalPort();
    }
    Files.writeString(
        tmp.resolve("prometheus.yml"),
        """
        global: {scrape_interval: 1s, evaluation_interval: 1s}
        scrape_configs:
          - job_name: gala-ops-server
            metrics_path: /actuator/prometheus
            static_configs: [{targets: ["127.0.0.1:%d"]}]
        """
            .formatted(port));
    Process prom =
        new ProcessBuilder(
                PROMETHEUS.toString(),
                "--config.file=" + tmp.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + tmp.resolve("data"),
                "--web.listen-address=127.0.0.1:" + promPort)
            .redirectErrorStream(true)
            .redirectOutput(tmp.resolve("prometheus.log").toFile())
            .start();
    try {
      HttpClient http = HttpClient.newHttpClient();
      List<String> failed = new ArrayList<>();
      long deadline = System.currentTimeMillis() + 60_000;
      List<DashboardsTest.Query> queries =
          DashboardsTest.queries().stream()
              .filter(q -> q.dashboard().equals("topology.json"))
              .toList();
      assertThat(queries).hasSizeGreaterThanOrEqualTo(8);
      long seq = 1;
      do {
        // Agents keep reporting, snapshots keep coming: rates over the dashboard's window have
        // data.
        long t = System.currentTimeMillis();
        ingestor.accept(new IngestedBatch(A, 1, seq, List.of(link(A, t, "client", 100))));
        ingestor.accept(new IngestedBatch(B, 1, seq, List.of(link(B, t, "server", 200))));
        seq++;
        taker.takeSnapshot();
        Thread.sleep(1000);
        failed.clear();
        for (DashboardsTest.Query q : queries) {
          String expr = DashboardsTest.substituted(q.expr()).replace("[1m]", "[10s]");
          JsonNode r = query(http, promPort, expr);
          if (!r.path("status").asText().equals("success")
              || r.path("data").path("result").isEmpty()) {
            failed.add(q.panel() + ": " + expr + " -> " + r);
          }
        }
      } while (!failed.isEmpty() && System.currentTimeMillis() < deadline);
      assertThat(failed)
          .as(
              "queries without data; prometheus log:\n%s",
              Files.readString(tmp.resolve("prometheus.log")))
          .isEmpty();
      JsonNode edges = query(http, promPort, "gala_topology_edge{type=\"connect\"}");
      assertThat(edges.path("data").path("result").toString())
          .contains("prom-a-10.0.0.1_proc_100", "\"detail\":\"6379\"");
    } finally {
      prom.destroy();
      if (!prom.waitFor(10, TimeUnit.SECONDS)) {
        prom.destroyForcibly();
      }
    }
  }

  static JsonNode query(HttpClient http, int port, String expr)
      throws IOException, InterruptedException {
    URI uri =
        URI.create(
            "http://127.0.0.1:"
                + port
                + "/api/v1/query?query="
                + URLEncoder.encode(expr, StandardCharsets.UTF_8));
    try {
      HttpResponse<String> r =
          http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
      return JsonMapper.builder().build().readTree(r.body());
    } catch (IOException | RuntimeException e) {
      // Not listening yet, or "Service Unavailable" in plain text while Prometheus starts (Jackson
      // 3's
      // parse errors are unchecked): the caller's loop asks again until its deadline.
      return JsonMapper.builder().build().readTree("{\"status\":\"unreachable\"}");
    }
  }
}
