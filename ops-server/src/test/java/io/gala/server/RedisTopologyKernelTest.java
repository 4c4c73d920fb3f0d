package io.gala.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * redis-benchmark against redis-server over TCP (127.0.0.1, a port of this test's own), seen by the
 * real agent's tcp and proc probes: the process-level topology shows redis-benchmark connect
 * redis-server on that port, both running on the host; when the benchmark stops, the edge is gone
 * from a later snapshot and the diff endpoint reports it removed.
 */
@Tag("kernel")
class RedisTopologyKernelTest {
  static final int REDIS_PORT = 26379;

  @Test
  void redisBenchmarkConnectsRedisServerAndTheEdgeGoesWhenItStops(@TempDir Path tmp)
      throws Exception {
    Process redis =
        new ProcessBuilder(
                "redis-server",
                "--port",
                String.valueOf(REDIS_PORT),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                tmp.toString())
            .redirectErrorStream(true)
            .redirectOutput(tmp.resolve("redis.log").toFile())
            .start();
    Process bench = null;
    try (Platform p = new Platform(tmp, "60s")) {
      p.startAgent("proc", "tcp");
      bench =
          new ProcessBuilder(
                  "redis-benchmark",
                  "-h",
                  "127.0.0.1",
                  "-p",
                  String.valueOf(REDIS_PORT),
                  "-c",
                  "2",
                  "-t",
                  "ping",
                  "-l",
                  "-q")
              .redirectErrorStream(true)
              .redirectOutput(tmp.resolve("bench.log").toFile())
              .start();
      String port = String.valueOf(REDIS_PORT);
      String host = p.id("host");
      JsonNode during = p.await("process", t -> connect(t, port) != null, () -> {});
      JsonNode edge = connect(during, port);
      String from = edge.get("from").asText();
      String to = edge.get("to").asText();
      assertThat(Platform.hasEdge(during, "runs_on", from, host)).isTrue();
      assertThat(Platform.hasEdge(during, "runs_on", to, host)).isTrue();
      long withEdge = during.get("at").get("snapshot").asLong();

      bench.destroy();
      bench.waitFor(10, TimeUnit.SECONDS);
      JsonNode after = p.await("process", t -> connect(t, port) == null, () -> {});
      long withoutEdge = after.get("at").get("snapshot").asLong();

      JsonNode diff =
          p.get("/api/v1/topology/diff?level=process&from=" + withEdge + "&to=" + withoutEdge);
      assertThat(diff.get("edges").get("removed").toString())
          .contains("\"from\":\"" + from + "\"")
          .contains("\"to\":\"" + to + "\"")
          .contains("\"detail\":\"" + port + "\"");
      // The past is still served as it was.
      assertThat(connect(p.get("/api/v1/topology?level=process&time=" + withEdge), port))
          .isNotNull();
    } finally {
      if (bench != null) {
        bench.destroyForcibly();
      }
      redis.destroy();
      redis.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** The proc-level connect edge redis-benchmark -> redis-server on the port, or null. */
  static JsonNode connect(JsonNode t, String port) {
    List<String> clients =
        Platform.byComm(t, "proc", "redis-benchmark").stream()
            .map(n -> n.get("id").asText())
            .toList();
    List<String> servers =
        Platform.byComm(t, "proc", "redis-server").stream().map(n -> n.get("id").asText()).toList();
    for (JsonNode e : Platform.edges(t, "connect")) {
      if (clients.contains(e.get("from").asText())
          && servers.contains(e.get("to").asText())
          && e.get("detail").asText().equals(port)) {
        return e;
      }
    }
    return null;
  }
}
