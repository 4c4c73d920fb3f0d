package io.gala.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.gala.server.OpsServer;
import io.gala.server.ingest.EntityIds;
import io.gala.server.ingest.IngestedBatch;
import io.gala.server.ingest.Ingestor;
import io.gala.server.topology.Snapshot;
import io.gala.server.topology.SnapshotTaker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** A restarted server still serves, over HTTP, the topology at a time before the restart. */
class RestartTest {
  static final String A = "restart-a-10.0.0.1";
  static final String B = "restart-b-10.0.0.2";

  static ConfigurableApplicationContext start(Path data) {
    return new SpringApplicationBuilder(OpsServer.class)
        .run(
            "--server.port=0",
            "--gala.ingest.kafka.enabled=false",
            "--gala.topology.startup-grace=1h",
            "--gala.topology.data-dir=" + data);
  }

  static String get(ConfigurableApplicationContext ctx, String path) throws Exception {
    int port = Integer.parseInt(ctx.getEnvironment().getProperty("local.server.port"));
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("GET %s: %s", path, r.body()).isEqualTo(200);
    return r.body();
  }

  @Test
  void theTopologyBeforeARestartIsStillServedAfterIt(@TempDir Path data) throws Exception {
    long before;
    try (ConfigurableApplicationContext first = start(data)) {
      long t = System.currentTimeMillis() - 2000;
      Ingestor ingestor = first.getBean(Ingestor.class);
      ingestor.accept(
          new IngestedBatch(
              A,
              1,
              1,
              List.of(
                  ApiTest.proc(A, t, 100, "redis-benchmark"),
                  ApiTest.link(A, t, 100, "redis-benchmark", "client", 40000))));
      ingestor.accept(
          new IngestedBatch(
              B,
              1,
              1,
              List.of(
                  ApiTest.proc(B, t, 200, "redis-server"),
                  ApiTest.link(B, t, 200, "redis-server", "server", 40000))));
      Snapshot s = first.getBean(SnapshotTaker.class).takeSnapshot();
      before = s.timestampMillis();
      assertThat(get(first, "/api/v1/topology?level=process&time=" + before))
          .contains("\"connect\"");
    }

    try (ConfigurableApplicationContext second = start(data)) {
      // No agent has reported since the restart: the past comes from the persisted history only.
      String body = get(second, "/api/v1/topology?level=process&time=" + before);
      assertThat(body)
          .contains("\"snapshot\":" + before)
          .contains(
              "{\"type\":\"connect\",\"from\":\""
                  + EntityIds.of(A, "proc", "100")
                  + "\",\"to\":\""
                  + EntityIds.of(B, "proc", "200")
                  + "\",\"detail\":\"6379\"}");
      assertThat(get(second, "/api/v1/topology/snapshots")).contains(String.valueOf(before));
    }
  }
}
