package io.gala.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.gala.broker.BrokerProcess;
import io.gala.server.ingest.EntityIds;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The whole platform for kernel tests: Kafka's own broker, the ops server (snapshots every 2 s) and
 * one real agent process with the given probes, sending to the broker. Needs root and the agent
 * jar.
 */
final class Platform implements AutoCloseable {
  static final Path AGENT_JAR = Path.of("..", "gopher-agent", "target", "gopher-agent.jar");
  static final JsonMapper JSON = JsonMapper.builder().build();

  final Path dir;
  final String machineId =
      "gt-server-" + UUID.randomUUID().toString().substring(0, 8) + "-127.0.0.1";
  final BrokerProcess broker;
  final ConfigurableApplicationContext server;
  final int port;
  private Process agent;

  Platform(Path dir, String agentTimeout) {
    assertThat(new com.sun.security.auth.module.UnixSystem().getUid())
        .as("this test loads eBPF programs through the agent: run it as root (./gala test)")
        .isZero();
    assertThat(AGENT_JAR)
        .as(
            "agent jar missing: build it first (mvn -pl gopher-agent -am package, or mvn verify "
                + "from the root)")
        .exists();
    this.dir = dir;
    this.broker = BrokerProcess.start(dir.resolve("kafka"));
    this.server =
        new SpringApplicationBuilder(OpsServer.class)
            .run(
                "--server.port=0",
                "--gala.ingest.kafka.bootstrap-servers=" + broker.bootstrap(),
                "--gala.ingest.kafka.group-id=gt-server-e2e",
                "--gala.topology.data-dir=" + dir.resolve("server"),
                "--gala.topology.snapshot-period=2s",
                "--gala.topology.startup-grace=2s",
                "--gala.topology.agent-timeout=" + agentTimeout);
    this.port = Integer.parseInt(server.getEnvironment().getProperty("local.server.port"));
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  void startAgent(String... probes) throws IOException {
    Path config = dir.resolve("agent.json");
    Files.writeString(
        config,
        """
        {"machine_id": "%s", "host_ip": "127.0.0.1", "sample_period_ms": 1000,
         "default_probes": [%s],
         "export": {"address": "127.0.0.1", "port": %d},
         "control": {"address": "127.0.0.1", "port": %d, "probes_init": "%s"},
         "kafka": {"bootstrap_servers": "%s"}}
        """
            .formatted(
                machineId,
                "\"" + String.join("\", \"", probes) + "\"",
                freePort(),
                freePort(),
                dir.resolve("probes.init"),
                broker.bootstrap()));
    agent =
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
            .start();
  }

  void stopAgent() throws InterruptedException {
    if (agent != null) {
      agent.destroy();
      if (!agent.waitFor(20, TimeUnit.SECONDS)) {
        agent.destroyForcibly();
      }
      agent = null;
    }
  }

  String id(String entity, String... keys) {
    return EntityIds.of(machineId, entity, keys);
  }

  JsonNode get(String path) throws IOException, InterruptedException {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("GET %s: %s", path, r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  /**
   * Polls the topology at a level until the check holds, running {@code meanwhile} before each
   * poll.
   */
  JsonNode await(String level, Predicate<JsonNode> check, Runnable meanwhile) throws Exception {
    long deadline = System.currentTimeMillis() + 120_000;
    JsonNode last = null;
    while (System.currentTimeMillis() < deadline) {
      meanwhile.run();
      try {
        last = get("/api/v1/topology?level=" + level);
        if (check.test(last)) {
          return last;
        }
      } catch (AssertionError e) {
        // No snapshot yet (404): keep polling.
      }
      Thread.sleep(1000);
    }
    String text = last == null ? "none" : last.toString();
    throw new AssertionError(
        "topology never got there in 120 s; last: "
            + text.substring(0, Math.min(3000, text.length()))
            + "\nagent log tail:\n"
            + tail(dir.resolve("agent.log")));
  }

  static List<JsonNode> edges(JsonNode t, String type) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode e : t.get("edges")) {
      if (e.get("type").asText().equals(type)) {
        out.add(e);
      }
    }
    return out;
  }

  static boolean hasEdge(JsonNode t, String type, String from, String to) {
    return edges(t, type).stream()
        .anyMatch(e -> e.get("from").asText().equals(from) && e.get("to").asText().equals(to));
  }

  static JsonNode node(JsonNode t, String id) {
    for (JsonNode n : t.get("nodes")) {
      if (n.get("id").asText().equals(id)) {
        return n;
      }
    }
    return null;
  }

  /** Nodes of a type whose comm attribute is the given one. */
  static List<JsonNode> byComm(JsonNode t, String type, String comm) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode n : t.get("nodes")) {
      if (n.get("type").asText().equals(type)
          && n.path("attributes").path("comm").asText().equals(comm)) {
        out.add(n);
      }
    }
    return out;
  }

  static String tail(Path log) throws IOException {
    if (!Files.exists(log)) {
      return "(no log)";
    }
    List<String> lines = Files.readAllLines(log);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
  }

  @Override
  public void close() throws Exception {
    stopAgent();
    server.close();
    broker.close();
  }
}
