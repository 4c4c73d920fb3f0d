package io.gala.agent.probe.l7.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gala.agent.probe.Identity;
import io.opentelemetry.proto.trace.v1.Span;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Slow requests through the OpenTelemetry SDK's OTLP exporter to a receiver decoding the real
 * protobuf.
 */
class OtlpSpansTest {
  @Test
  void sendsOneSpanPerRequestWithSemanticConventionAttributes() throws Exception {
    try (OtlpReceiver receiver = new OtlpReceiver();
        OtlpSpans spans =
            OtlpSpans.start(
                receiver.endpoint(), Duration.ofSeconds(5), new Identity("m-1", "10.0.0.9"))) {
      assertThat(spans.endpoint()).isEqualTo(receiver.endpoint() + "/v1/traces");
      spans.emit(
          List.of(
              Requests.redisServer(1_700_000_000_123L, 52_000_123),
              Requests.pgsqlClient(1_700_000_000_500L, 3_000_000)));
      assertThat(spans.flush(Duration.ofSeconds(10))).isTrue();

      List<OtlpReceiver.Received> got = receiver.await(l -> l.size() >= 2, Duration.ofSeconds(10));
      assertThat(receiver.contentTypes()).allMatch(t -> t.startsWith("application/x-protobuf"));
      Map<String, OtlpReceiver.Received> byName =
          got.stream().collect(Collectors.toMap(r -> r.span().getName(), r -> r));
      assertThat(byName).containsOnlyKeys("redis GET", "pgsql SELECT");

      OtlpReceiver.Received redis = byName.get("redis GET");
      assertThat(redis.scope()).isEqualTo(OtlpSpans.SCOPE);
      assertThat(redis.span().getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
      assertThat(redis.span().getEndTimeUnixNano()).isEqualTo(1_700_000_000_123_000_000L);
      assertThat(redis.latencyNs()).isEqualTo(52_000_123L);
      assertThat(redis.span().getParentSpanId().isEmpty()).isTrue();
      assertThat(redis.span().getTraceId().size()).isEqualTo(16);
      assertThat(redis.string("db.system")).isEqualTo("redis");
      assertThat(redis.string("db.system.name")).isEqualTo("redis");
      assertThat(redis.string("db.operation.name")).isEqualTo("GET");
      assertThat(redis.string("db.statement")).isEqualTo("GET ?");
      assertThat(redis.string("db.query.text")).isEqualTo("GET ?");
      assertThat(redis.string("server.address")).isEqualTo("127.0.0.1");
      assertThat(redis.number("server.port")).isEqualTo(6379L);
      assertThat(redis.string("client.address")).isEqualTo("127.0.0.1");
      assertThat(redis.number("client.port")).isEqualTo(51000L);
      assertThat(redis.string("network.peer.address"))
          .as("a server's peer is its client")
          .isEqualTo("127.0.0.1");
      assertThat(redis.number("network.peer.port")).isEqualTo(51000L);
      assertThat(redis.string("network.transport")).isEqualTo("tcp");
      assertThat(redis.number("process.pid")).isEqualTo(4242L);
      assertThat(redis.string("process.executable.name")).isEqualTo("redis-server");
      assertThat(redis.resource().getAttributesList())
          .anySatisfy(
              kv -> {
                assertThat(kv.getKey()).isEqualTo("service.name");
                assertThat(kv.getValue().getStringValue()).isEqualTo("gala-agent");
              })
          .anySatisfy(
              kv -> {
                assertThat(kv.getKey()).isEqualTo("host.id");
                assertThat(kv.getValue().getStringValue()).isEqualTo("m-1");
              });

      OtlpReceiver.Received pg = byName.get("pgsql SELECT");
      assertThat(pg.span().getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_CLIENT);
      assertThat(pg.string("db.system")).isEqualTo("postgresql");
      assertThat(pg.string("db.statement")).isEqualTo("SELECT * FROM t WHERE id = ?");
      assertThat(pg.string("server.address")).isEqualTo("::1");
      assertThat(pg.number("network.peer.port"))
          .as("a client's peer is its server")
          .isEqualTo(5432L);
      assertThat(pg.latencyNs()).isEqualTo(3_000_000L);
      assertThat(spans.emitted()).isEqualTo(2);
    }
  }

  @Test
  void httpAndKafkaSpansUseTheirOwnConventions() {
    var http = OtlpSpans.attributes(Requests.withText("GET /users/?/orders?x=?"));
    assertThat(http.get(OtlpSpans.HTTP_METHOD)).isEqualTo("GET");
    assertThat(http.get(OtlpSpans.URL_PATH)).isEqualTo("/users/?/orders");
    assertThat(http.get(OtlpSpans.DB_SYSTEM)).isNull();
    var kafka =
        OtlpSpans.attributes(
            new io.gala.agent.probe.l7.SlowRequest(
                1,
                1,
                "kafka",
                "Produce",
                "Produce client=x",
                9,
                "java",
                "client",
                "127.0.0.1:1",
                "127.0.0.1:9092"));
    assertThat(kafka.get(OtlpSpans.MESSAGING_SYSTEM)).isEqualTo("kafka");
    assertThat(kafka.get(OtlpSpans.MESSAGING_OPERATION)).isEqualTo("Produce");
  }

  @Test
  void endpointGetsTheTracesPathOnlyWhenItHasNone() {
    assertThat(OtlpSpans.tracesUrl("http://collector:4318"))
        .isEqualTo("http://collector:4318/v1/traces");
    assertThat(OtlpSpans.tracesUrl("http://collector:4318/"))
        .isEqualTo("http://collector:4318/v1/traces");
    assertThat(OtlpSpans.tracesUrl("https://c.example/otlp/v1/traces"))
        .isEqualTo("https://c.example/otlp/v1/traces");
    assertThatThrownBy(() -> OtlpSpans.tracesUrl("collector:4318"))
        .hasMessageContaining("otel.endpoint");
  }
}
