package io.gala.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.gala.server.ingest.EntityIds;
import io.gala.server.ingest.IngestedBatch;
import io.gala.server.ingest.IngestedRecord;
import io.gala.server.ingest.Ingestor;
import io.gala.server.topology.Snapshot;
import io.gala.server.topology.SnapshotTaker;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;

/**
 * The REST API and the Prometheus endpoint of a whole server, fed through its ingest sink (the
 * Kafka adapter's entry point) and snapshotted on demand.
 */
@SpringBootTest(properties = {"gala.topology.startup-grace=1h", "gala.ingest.kafka.enabled=false"})
@AutoConfigureMockMvc
@DirtiesContext
class ApiTest {
  static final String A = "aaaa-10.0.0.1";
  static final String B = "bbbb-10.0.0.2";

  @TempDir static Path data;

  @DynamicPropertySource
  static void dataDir(DynamicPropertyRegistry r) {
    r.add("gala.topology.data-dir", () -> data.toString());
  }

  @Autowired MockMvc mvc;
  @Autowired Ingestor ingestor;
  @Autowired SnapshotTaker taker;

  static IngestedRecord link(
      String mid, long t, int tgid, String comm, String role, int clientPort) {
    Map<String, String> keys = new LinkedHashMap<>();
    keys.put("tgid", String.valueOf(tgid));
    keys.put("comm", comm);
    keys.put("role", role);
    keys.put("client_ip", "10.0.0.1");
    keys.put("server_ip", "10.0.0.2");
    keys.put("client_port", String.valueOf(clientPort));
    keys.put("server_port", "6379");
    return IngestedRecord.of(
        mid, "tcp_metric", "tcp_link", t, keys, Map.of(), Map.of("srtt_last", 0.0002));
  }

  static IngestedRecord proc(String mid, long t, int tgid, String comm) {
    return IngestedRecord.of(
        mid,
        "system_proc",
        "proc",
        t,
        Map.of("tgid", String.valueOf(tgid)),
        Map.of("comm", comm, "ppid", "1"),
        Map.of("cpu_util", 3.0));
  }

  void send(String mid, long seq, IngestedRecord... records) {
    ingestor.accept(new IngestedBatch(mid, 1, seq, List.of(records)));
  }

  /** Two hosts, redis-benchmark on A talking to redis-server on B over one connection. */
  Snapshot connected(long t, long seq) {
    send(
        A,
        seq,
        proc(A, t, 100, "redis-benchmark"),
        link(A, t, 100, "redis-benchmark", "client", 40000));
    send(B, seq, proc(B, t, 200, "redis-server"), link(B, t, 200, "redis-server", "server", 40000));
    return taker.takeSnapshot();
  }

  @Test
  void servesTheTopologyAtProcessLevelAndTheDiffWhenAConnectionCloses() throws Exception {
    long t = System.currentTimeMillis() - 10_000;
    Snapshot before = connected(t, 1);
    String pa = EntityIds.of(A, "proc", "100");
    String pb = EntityIds.of(B, "proc", "200");

    mvc.perform(get("/api/v1/topology").param("level", "process"))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.level").value("process"))
        .andExpect(jsonPath("$.at.snapshot").value(before.timestampMillis()))
        .andExpect(
            jsonPath(
                    "$.edges[?(@.type=='connect' && @.from=='"
                        + pa
                        + "' && @.to=='"
                        + pb
                        + "')].detail")
                .value(hasItem("6379")))
        .andExpect(
            jsonPath("$.edges[?(@.type=='runs_on' && @.from=='" + pa + "')].to")
                .value(hasItem(EntityIds.of(A, "host"))))
        .andExpect(jsonPath("$.nodes[?(@.id=='" + pb + "')].machine_id").value(hasItem(B)))
        .andExpect(jsonPath("$.nodes[*].type").value(not(hasItem("tcp_link"))));

    // The connection closes: the next sample of both agents has no tcp_link for it.
    send(
        A,
        2,
        proc(A, t + 5000, 100, "redis-benchmark"),
        link(A, t + 5000, 100, "redis-benchmark", "client", 40001));
    send(B, 2, proc(B, t + 5000, 200, "redis-server"));
    Snapshot after = taker.takeSnapshot();

    mvc.perform(get("/api/v1/topology").param("level", "rpc"))
        .andExpect(jsonPath("$.edges[*].type").value(not(hasItem("is_peer"))));
    mvc.perform(
            get("/api/v1/topology/diff")
                .param("from", String.valueOf(before.timestampMillis()))
                .param("to", String.valueOf(after.timestampMillis()))
                .param("level", "rpc"))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.edges.removed[*].type").value(hasItem("is_peer")))
        .andExpect(jsonPath("$.edges.removed[?(@.type=='connect')].from").value(hasItem(pa)))
        .andExpect(jsonPath("$.entities.added[*].attributes.client_port").value(hasItem("40001")));

    mvc.perform(
            get("/api/v1/entities/" + pb).param("time", String.valueOf(before.timestampMillis())))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.entity.type").value("proc"))
        .andExpect(jsonPath("$.relations[?(@.type=='connect')].from").value(hasItem(pa)))
        .andExpect(jsonPath("$.metrics").value(hasItem("cpu_util")));
    mvc.perform(
            get("/api/v1/entities/" + pb + "/metrics")
                .param("metric", "cpu_util")
                .param("from", "now-1h"))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.series.cpu_util[0].value").value(3.0));

    mvc.perform(get("/actuator/prometheus"))
        .andExpect(status().isOk())
        .andExpect(content().string(containsString("gala_topology_node{id=\"" + pa + "\"")))
        .andExpect(content().string(containsString("gala_server_ingest_records_total")))
        .andExpect(content().string(containsString("gala_server_topology_snapshot_seconds_count")));
  }

  @Test
  void badParametersAreRefusedWith400AMessageAndACount() throws Exception {
    taker.takeSnapshot();
    double before = badRequests();
    List<String[]> bad = new ArrayList<>();
    bad.add(new String[] {"/api/v1/topology?level=galaxy", "level='galaxy' is not a level"});
    bad.add(new String[] {"/api/v1/topology?time=yesterday", "time='yesterday' is not a time"});
    bad.add(new String[] {"/api/v1/topology?time=1764054000", "looks like epoch seconds"});
    bad.add(new String[] {"/api/v1/topology?time=2999-01-01T00:00:00Z", "is in the future"});
    bad.add(new String[] {"/api/v1/topology/diff?from=now&to=now-1h", "is after to"});
    bad.add(new String[] {"/api/v1/topology/diff", "parameter 'from' is required"});
    bad.add(new String[] {"/api/v1/entities/x/metrics?metric=a;drop", "is not a metric name"});
    for (String[] b : bad) {
      mvc.perform(get(b[0]))
          .andExpect(status().isBadRequest())
          .andExpect(jsonPath("$.status").value(400))
          .andExpect(jsonPath("$.error").value(containsString(b[1])));
    }
    assertThat(badRequests() - before).isEqualTo(bad.size());

    mvc.perform(get("/api/v1/topology").param("time", "2001-01-01T00:00:00Z"))
        .andExpect(status().isNotFound())
        .andExpect(jsonPath("$.error").value(containsString("before the oldest snapshot")));
    mvc.perform(get("/api/v1/entities/nope")).andExpect(status().isNotFound());
    // The good requests after the bad ones still work.
    mvc.perform(get("/api/v1/health"))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.bad_requests").value((int) badRequests()));
  }

  @Test
  void describesItselfWithOpenApi() throws Exception {
    mvc.perform(get("/api/v1/openapi.json"))
        .andExpect(status().isOk())
        .andExpect(
            jsonPath("$.paths['/api/v1/topology'].get.parameters[*].name").value(hasItem("level")))
        .andExpect(jsonPath("$.paths['/api/v1/topology/diff']").exists())
        .andExpect(jsonPath("$.paths['/api/v1/entities/{id}/metrics']").exists())
        .andExpect(jsonPath("$.paths['/api/v1/health']").exists());
  }

  double badRequests() throws Exception {
    String text =
        mvc.perform(get("/actuator/prometheus")).andReturn().getResponse().getContentAsString();
    return text.lines()
        .filter(l -> l.startsWith("gala_server_api_bad_requests_total"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }
}
