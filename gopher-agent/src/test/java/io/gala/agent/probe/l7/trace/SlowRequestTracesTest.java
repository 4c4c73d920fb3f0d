package io.gala.agent.probe.l7.trace;

import static org.assertj.core.api.Assertions.assertThat;

import io.gala.agent.control.ProbeControl;
import io.gala.agent.event.Severity;
import io.gala.agent.event.SubHealthEvent;
import io.gala.agent.export.Sample;
import io.gala.agent.http.HttpRequest;
import io.gala.agent.http.HttpResponse;
import io.gala.agent.probe.Identity;
import io.gala.agent.probe.ProbeManager;
import io.gala.agent.probe.l7.SlowRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What happens to each period's slow requests: logged once, one event each, served over REST. */
class SlowRequestTracesTest {
  private static final Identity NODE = new Identity("m-1", "10.0.0.9");
  @TempDir Path dir;

  private static Sample sample(long ts) {
    return new Sample(ts, NODE, 0, List.of());
  }

  @Test
  void sendsEachPeriodOnceAsOneEventPerRequest() {
    AtomicReference<List<SlowRequest>> current = new AtomicReference<>(List.of());
    List<List<SubHealthEvent>> published = new ArrayList<>();
    SlowRequestTraces traces = new SlowRequestTraces(current::get, published::add, null);

    traces.onSample(sample(1_000));
    assertThat(published).as("an empty period sends nothing").isEmpty();
    current.set(
        List.copyOf(
            List.of(
                Requests.redisServer(4_990, 52_000_000), Requests.redisServer(4_000, 9_000_000))));
    traces.onSample(sample(5_000));
    traces.onSample(sample(10_000)); // the probe did not end a period: the same list again
    assertThat(published).hasSize(1);
    assertThat(published.get(0)).extracting(SubHealthEvent::value).containsExactly(0.052, 0.009);
    assertThat(traces.json()).contains("\"timestamp\":5000").doesNotContain("\"timestamp\":10000");
  }

  @Test
  void eventNamesTheRequestsApiSeriesAndCarriesTheMaskedText() {
    SubHealthEvent e =
        SlowRequestEvents.of("m-1", Requests.pgsqlClient(1_700_000_000_123L, 52_500_000));

    assertThat(e.timestampMillis()).isEqualTo(1_700_000_000_123L);
    assertThat(e.table()).isEqualTo("l7_rpc_api");
    assertThat(e.metricId()).isEqualTo("gala_gopher_l7_api_latency");
    assertThat(e.severity()).isEqualTo(Severity.INFO);
    assertThat(e.keys())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "tgid",
                "777",
                "client_ip",
                "::1",
                "server_ip",
                "::1",
                "server_port",
                "5432",
                "l4_role",
                "client",
                "l7_role",
                "client",
                "protocol",
                "pgsql",
                "api",
                "SELECT"));
    assertThat(e.entityId()).isEqualTo("m-1_l7_api_777_::1_::1_5432_client_client_pgsql_SELECT");
    assertThat(e.eventId())
        .isEqualTo("1700000000123_m-1_l7_api_777_::1_::1_5432_client_client_pgsql_SELECT");
    assertThat(e.labels())
        .containsEntry("PID", "777")
        .containsEntry("COMM", "pgbench")
        .containsEntry("IP", "Client [::1]:40000, Server [::1]:5432");
    assertThat(e.value()).isEqualTo(0.0525);
    assertThat(e.description())
        .isEqualTo(
            "Slow pgsql request SELECT of pgbench(777) took 52.500 ms "
                + "(client [::1]:40000, server [::1]:5432): SELECT * FROM t WHERE id = ?");
  }

  @Test
  void eventDescriptionsBoundTheText() {
    SubHealthEvent e = SlowRequestEvents.of("m", Requests.withText("GET /" + "b".repeat(5000)));
    assertThat(e.description()).endsWith("...").hasSizeLessThan(SlowRequestEvents.MAX_TEXT + 200);
  }

  @Test
  void probeControlServesTheViewAndRefusesWrites() {
    SlowRequestTraces traces =
        new SlowRequestTraces(() -> List.of(Requests.redisServer(990, 1_000_000)), null, null);
    traces.onSample(sample(1_000));
    ProbeControl control =
        new ProbeControl(new ProbeManager(List.of(), c -> null), dir.resolve("probes.init"));
    control.addView("/l7/slow_requests", traces::json);

    HttpResponse get =
        control.handle(new HttpRequest("GET", "/l7/slow_requests", Map.of(), "", new byte[0]));
    HttpResponse put =
        control.handle(new HttpRequest("PUT", "/l7/slow_requests", Map.of(), "", new byte[0]));

    assertThat(get.status()).isEqualTo(200);
    assertThat(get.contentType()).isEqualTo("application/json");
    assertThat(new String(get.body(), StandardCharsets.UTF_8))
        .isEqualTo(traces.json())
        .contains("\"latency_ns\":1000000");
    assertThat(put.status()).isEqualTo(405);
    assertThat(control.invalidRequests()).isEqualTo(1);
  }

  @Test
  void endpointsSplitIntoAddressAndPort() {
    assertThat(Endpoint.parse("127.0.0.1:6379")).isEqualTo(new Endpoint("127.0.0.1", 6379));
    assertThat(Endpoint.parse("[fe80::1]:80")).isEqualTo(new Endpoint("fe80::1", 80));
    assertThat(Endpoint.parse("nonsense")).isEqualTo(new Endpoint("nonsense", 0));
    assertThat(Endpoint.parse(null)).isEqualTo(new Endpoint("", 0));
  }
}
