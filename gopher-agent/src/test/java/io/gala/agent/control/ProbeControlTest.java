package io.gala.agent.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.gala.agent.config.AgentConfig;
import io.gala.agent.probe.Probe;
import io.gala.agent.probe.ProbeContext;
import io.gala.agent.probe.ProbeSpec;
import io.gala.agent.probe.ProbeSpec.ParamSpec;
import io.gala.agent.table.Row;
import io.gala.agent.table.TableDef;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control API over real HTTP, with pure-Java probes: what is tested is validation and
 * lifecycle.
 */
class ProbeControlTest {
  static final TableDef COUNTER =
      TableDef.builder("demo").keys("k").gauge("starts", "", "Times started").build();
  static final AtomicInteger STARTS = new AtomicInteger();

  /** A probe that emits how often it was started; no kernel involved. */
  static final class DemoProbe implements Probe {
    public String name() {
      return "demo";
    }

    public List<TableDef> tables() {
      return List.of(COUNTER);
    }

    public void start(ProbeContext c) {
      STARTS.incrementAndGet();
    }

    public void sample(Consumer<Row> sink) {
      sink.accept(COUNTER.row().key("k", "x").set("starts", STARTS.get()).build());
    }

    public void close() {}
  }

  /** A probe whose start fails the way a missing kernel feature does. */
  static final class BrokenProbe implements Probe {
    public String name() {
      return "broken";
    }

    public List<TableDef> tables() {
      return List.of();
    }

    public void start(ProbeContext c) {
      throw new IllegalStateException("load broken.bpf.o: ENOENT: the kernel lacks this hook");
    }

    public void sample(Consumer<Row> sink) {}

    public void close() {}
  }

  static final List<ProbeSpec> CATALOG =
      List.of(
          ProbeSpec.of(
              "demo",
              DemoProbe::new,
              Set.of("demo_a", "demo_b"),
              ParamSpec.number("max_links", 1, 1_000_000)),
          ProbeSpec.of("broken", BrokenProbe::new, Set.of()));

  @TempDir Path dir;
  io.gala.agent.GopherAgentHandle agent;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    agent = io.gala.agent.GopherAgentHandle.start(config(), CATALOG);
  }

  @AfterEach
  void stop() {
    agent.close();
  }

  private AgentConfig config() {
    AgentConfig c = new AgentConfig();
    c.machineId = "test-machine";
    c.export.port = 0;
    c.control.port = 0;
    c.control.probesInit = dir.resolve("probes.init").toString();
    c.defaultProbes = List.of();
    c.samplePeriodMs = 1000;
    return c;
  }

  private HttpResponse<String> put(String probe, String body, String contentType) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.controlPort() + "/" + probe))
            .header("Content-Type", contentType)
            .PUT(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String probe) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.controlPort() + "/" + probe))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void acceptsTheGalaGopherFormFieldAndPersistsToProbesInit() throws Exception {
    HttpResponse<String> r =
        put(
            "demo",
            "json={\"cmd\":{\"probe\":[\"demo_a\"]},\"params\":{\"report_period\":30,\"max_links\":100},\"state\":\"running\"}",
            "application/x-www-form-urlencoded");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .contains("\"state\":\"running\"")
        .contains("\"demo_a\"")
        .contains("\"max_links\":100");
    assertThat(get("demo").body()).isEqualTo(r.body());
    assertThat(Files.readString(dir.resolve("probes.init")))
        .startsWith("demo {")
        .contains("\"report_period\":30");
    // curl -d '{...}' without json= sends a form content type with a JSON body: accepted as JSON.
    assertThat(
            put("demo", "{\"state\":\"stopped\"}", "application/x-www-form-urlencoded")
                .statusCode())
        .isEqualTo(200);
    assertThat(get("demo").body()).contains("\"state\":\"stopped\"");
  }

  @Test
  void rejectsBadInputNamingTheFieldAndChangesNothing() throws Exception {
    put("demo", "{\"state\":\"running\",\"params\":{\"report_period\":30}}", "application/json");
    String before = get("demo").body();
    for (String[] bad :
        new String[][] {
          {"{\"state\":\"runnin\"}", "state must be"},
          {"{\"params\":{\"report_period\":4}}", "params.report_period must be in [5, 600]"},
          {"{\"params\":{\"no_such\":1}}", "unknown param params.no_such"},
          {"{\"cmd\":{\"probe\":[\"evil; rm -rf /\"]}}", "cmd.probe: unknown sub-probe"},
          {"{\"cmd\":{\"bin\":\"/bin/sh\"}}", "unknown field cmd.bin"},
          {"{\"snoopers\":{\"proc_id\":[-1]}}", "snoopers.proc_id"},
          {"{\"snoopers\":{\"container_id\":[\"../etc\"]}}", "snoopers.container_id"},
          {"{\"extra\":1}", "unknown field extra"},
          {"{not json", "body is not valid JSON"},
          {"[1,2]", "must be a JSON object"}
        }) {
      HttpResponse<String> r = put("demo", bad[0], "application/json");
      assertThat(r.statusCode()).as(bad[0]).isEqualTo(400);
      assertThat(r.body()).as(bad[0]).contains(bad[1]);
    }
    assertThat(get("demo").body()).isEqualTo(before);
    assertThat(put("nonexistent", "{}", "application/json").statusCode()).isEqualTo(404);
  }

  @Test
  void reportsAProbeThatFailsToStartWhileTheOthersRun() throws Exception {
    put("demo", "{\"state\":\"running\"}", "application/json");
    HttpResponse<String> r = put("broken", "{\"state\":\"running\"}", "application/json");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .contains("\"state\":\"failed\"")
        .contains("\"reason\":\"load broken.bpf.o: ENOENT");
    String metrics = agent.sampleAndScrape();
    assertThat(metrics)
        .contains("gala_gopher_agent_probe_failed{machine_id=\"test-machine\",probe=\"broken\"")
        .contains("gala_gopher_demo_starts{machine_id=\"test-machine\",k=\"x\"}");
  }

  @Test
  void restoresProbesInitOnRestartAndStopsAtRunTime() throws Exception {
    put("demo", "{\"state\":\"running\",\"params\":{\"max_links\":7}}", "application/json");
    agent.close();
    agent = io.gala.agent.GopherAgentHandle.start(config(), CATALOG);
    assertThat(get("demo").body()).contains("\"state\":\"running\"").contains("\"max_links\":7");
    put("demo", "{\"state\":\"stopped\"}", "application/json");
    assertThat(get("demo").body()).contains("\"state\":\"stopped\"");
    // The demo's last row may linger until it ages out (by design); its state is what must change.
    assertThat(agent.sampleAndScrape())
        .contains(
            "gala_gopher_agent_probe_up{machine_id=\"test-machine\",probe=\"demo\",state=\"stopped\"} 0");
  }
}
