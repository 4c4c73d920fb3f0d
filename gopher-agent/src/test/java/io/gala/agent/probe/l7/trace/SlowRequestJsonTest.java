package io.gala.agent.probe.l7.trace;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gala.agent.probe.l7.SlowRequest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The REST body of GET /l7/slow_requests: its shape, and the bounds on periods, requests and texts.
 */
class SlowRequestJsonTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void listsPeriodsNewestFirstWithEveryFieldOfEachRequest() throws Exception {
    SlowRequestLog log = new SlowRequestLog(12, 100);
    log.add(1_000L, List.of(Requests.redisServer(990L, 7_000_000)));
    log.add(
        6_000L,
        List.of(Requests.redisServer(5_990L, 52_000_000), Requests.pgsqlClient(5_500L, 3_000_000)));

    JsonNode root = JSON.readTree(SlowRequestJson.periods(log.periods()));

    assertThat(root.fieldNames()).toIterable().containsExactly("periods");
    assertThat(root.get("periods"))
        .extracting(p -> p.get("timestamp").asLong())
        .containsExactly(6_000L, 1_000L);
    JsonNode first = root.get("periods").get(0).get("requests").get(0);
    assertThat(first.fieldNames())
        .toIterable()
        .containsExactly(
            "timestamp",
            "latency_ns",
            "protocol",
            "api",
            "text",
            "tgid",
            "comm",
            "l7_role",
            "client",
            "server");
    assertThat(first.get("timestamp").asLong()).isEqualTo(5_990L);
    assertThat(first.get("latency_ns").asLong()).isEqualTo(52_000_000L);
    assertThat(first.get("protocol").asText()).isEqualTo("redis");
    assertThat(first.get("api").asText()).isEqualTo("GET");
    assertThat(first.get("text").asText()).isEqualTo("GET ?");
    assertThat(first.get("tgid").asLong()).isEqualTo(4242L);
    assertThat(first.get("comm").asText()).isEqualTo("redis-server");
    assertThat(first.get("l7_role").asText()).isEqualTo("server");
    assertThat(first.get("client").asText()).isEqualTo("127.0.0.1:51000");
    assertThat(first.get("server").asText()).isEqualTo("127.0.0.1:6379");
    assertThat(root.get("periods").get(0).get("requests").get(1).get("server").asText())
        .isEqualTo("[::1]:5432");
  }

  @Test
  void emptyLogIsAnEmptyList() throws Exception {
    assertThat(SlowRequestJson.periods(new SlowRequestLog(1, 1).periods()))
        .isEqualTo("{\"periods\":[]}");
  }

  @Test
  void keepsAtMostTheConfiguredPeriodsAndRequestsPerPeriod() throws Exception {
    SlowRequestLog log = new SlowRequestLog(3, 5);
    for (int p = 0; p < 10; p++) {
      List<SlowRequest> period = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        period.add(Requests.redisServer(p * 1000L, (20 - i) * 1_000_000L));
      }
      log.add(p * 1000L, period);
    }
    JsonNode root = JSON.readTree(SlowRequestJson.periods(log.periods()));
    assertThat(root.get("periods"))
        .extracting(p -> p.get("timestamp").asLong())
        .containsExactly(9_000L, 8_000L, 7_000L);
    for (JsonNode p : root.get("periods")) {
      assertThat(p.get("requests"))
          .as("the slowest 5 of 20, slowest first")
          .extracting(r -> r.get("latency_ns").asLong())
          .containsExactly(20_000_000L, 19_000_000L, 18_000_000L, 17_000_000L, 16_000_000L);
    }
  }

  @Test
  void theAgentsLogHoldsAMinuteOfPeriodsOfAtMostTheProbesLimit() {
    SlowRequestTraces traces = new SlowRequestTraces(List::of, null, null);
    assertThat(SlowRequestTraces.PERIODS).isEqualTo(12);
    assertThat(SlowRequestTraces.PER_PERIOD).isEqualTo(1000);
    assertThat(traces.json()).isEqualTo("{\"periods\":[]}");
  }

  @Test
  void cutsLongTextsToTheLimitWithAnEllipsis() throws Exception {
    SlowRequestLog log = new SlowRequestLog(1, 1);
    log.add(1L, List.of(Requests.withText("GET /" + "a".repeat(10_000))));
    String text =
        JSON.readTree(SlowRequestJson.periods(log.periods()))
            .at("/periods/0/requests/0/text")
            .asText();
    assertThat(text).hasSize(SlowRequestJson.MAX_TEXT).startsWith("GET /aaa").endsWith("...");
  }

  @Test
  void neverSplitsASurrogatePairWhenCutting() {
    String s = "x".repeat(508) + "\uD83D\uDE00" + "tail";
    String cut = SlowRequestJson.bounded(s, 512);
    assertThat(cut).hasSizeLessThanOrEqualTo(512).endsWith("x...");
    assertThat(SlowRequestJson.bounded("short", 512)).isEqualTo("short");
    assertThat(SlowRequestJson.bounded(null, 512)).isEmpty();
  }
}
