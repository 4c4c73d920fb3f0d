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
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The whole path on the real kernel: the agent (proc, io, baseinfo probes) sends its samples to Kafka's
 * own broker, the server consumes them and its topology shows this test's JVM running on the agent's
 * host and the disk it writes to under its block device; when the agent stops, its entities age out.
 * Needs root (eBPF) and the agent jar (built before ops-server by {@code mvn verify} from the root).
 */
@Tag("kernel")
class AgentToServerKernelTest {
  static final Path AGENT_JAR = Path.of("..", "gopher-agent", "target", "gopher-agent.jar");
  static final JsonMapper JSON = JsonMapper.builder().build();

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void anAgentsProcessesAndDisksReachTheTopologyThroughKafkaAndAgeOutWhenItStops(@TempDir Path tmp)
      throws Exception {
    assertThat(new com.sun.security.auth.module.UnixSystem().getUid())
        .as("this test loads eBPF programs through the agent: run it as root (./gala test)").isZero();
    assertThat(AGENT_JAR).as("agent jar missing: build it first (mvn -pl gopher-agent -am package, or mvn verify "
        + "from the root)").exists();
    String mid = "gt-server-" + UUID.randomUUID().toString().substring(0, 8) + "-127.0.0.1";
    try (BrokerProcess broker = BrokerProcess.start(tmp.resolve("kafka"));
        ConfigurableApplicationContext server = new SpringApplicationBuilder(OpsServer.class).run(
            "--server.port=0", "--gala.ingest.kafka.bootstrap-servers=" + broker.bootstrap(),
            "--gala.ingest.kafka.group-id=gt-server-e2e", "--gala.topology.data-dir=" + tmp.resolve("server"),
            "--gala.topology.snapshot-period=2s", "--gala.topology.startup-grace=2s",
            "--gala.topology.agent-timeout=8s")) {
      int port = Integer.parseInt(server.getEnvironment().getProperty("local.server.port"));
      Path config = tmp.resolve("agent.json");
      Files.writeString(config, """
          {"machine_id": "%s", "host_ip": "127.0.0.1", "sample_period_ms": 1000,
           "default_probes": ["proc", "io", "baseinfo"],
           "export": {"address": "127.0.0.1", "port": %d},
           "control": {"address": "127.0.0.1", "port": %d, "probes_init": "%s"},
           "kafka": {"bootstrap_servers": "%s"}}
          """.formatted(mid, freePort(), freePort(), tmp.resolve("probes.init"), broker.bootstrap()));
      Process agent = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx256m", "-XX:+UseSerialGC", "-jar", AGENT_JAR.toString(), "--config", config.toString())
          .redirectErrorStream(true).redirectOutput(tmp.resolve("agent.log").toFile()).start();
      String host = EntityIds.of(mid, "host");
      String self = EntityIds.of(mid, "proc", String.valueOf(ProcessHandle.current().pid()));
      try {
        JsonNode topology = awaitTopology(port, tmp, t -> hasEdge(t, "runs_on", self, host)
            && edges(t, "belongs_to").stream().anyMatch(e -> e.get("from").asText().startsWith(mid + "_block_")
                && e.get("to").asText().startsWith(mid + "_disk_")), "agent.log");
        assertThat(node(topology, self).path("attributes").path("comm").asText()).isEqualTo("java");
      } finally {
        agent.destroy();
        if (!agent.waitFor(20, TimeUnit.SECONDS)) {
          agent.destroyForcibly();
        }
      }
      // Silent for longer than the agent timeout: everything of that agent is gone from the topology.
      awaitTopology(port, tmp, t -> !t.get("nodes").toString().contains(mid), "agent.log");
    }
  }

  interface Check {
    boolean holds(JsonNode topology);
  }

  /** Polls the process-level topology while writing to disk (so the io probe has rows) until it holds. */
  static JsonNode awaitTopology(int port, Path tmp, Check check, String log) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.currentTimeMillis() + 120_000;
    JsonNode last = null;
    while (System.currentTimeMillis() < deadline) {
      writeToDisk(tmp.resolve("io.bin"));
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + port + "/api/v1/topology?level=process")).build(),
          HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 200) {
        last = JSON.readTree(r.body());
        if (check.holds(last)) {
          return last;
        }
      }
      Thread.sleep(1000);
    }
    throw new AssertionError("topology never got there in 120 s; last: "
        + (last == null ? "none" : last.toString().substring(0, Math.min(2000, last.toString().length())))
        + "\nagent log tail:\n" + tail(tmp.resolve(log)));
  }

  static void writeToDisk(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.allocate(1 << 20), 0);
      ch.force(true);
    }
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
    return edges(t, type).stream().anyMatch(e -> e.get("from").asText().equals(from) && e.get("to").asText().equals(to));
  }

  static JsonNode node(JsonNode t, String id) {
    for (JsonNode n : t.get("nodes")) {
      if (n.get("id").asText().equals(id)) {
        return n;
      }
    }
    throw new AssertionError("no node " + id);
  }

  static String tail(Path log) throws IOException {
    if (!Files.exists(log)) {
      return "(no log)";
    }
    List<String> lines = Files.readAllLines(log);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
  }
}
