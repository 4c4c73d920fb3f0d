package io.gala.agent.probe.l7.trace;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gala.agent.export.Sample;
import io.gala.agent.kafka.KafkaConfig;
import io.gala.agent.kafka.KafkaExporter;
import io.gala.agent.probe.Identity;
import io.gala.agent.probe.l7.SlowRequest;
import io.gala.broker.BrokerProcess;
import io.gala.transport.SequenceTracker;
import io.gala.transport.Topics;
import io.gala.transport.TransportConsumer;
import io.gala.transport.proto.Batch;
import io.gala.transport.proto.Event;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slow requests through the agent's Kafka exporter to Kafka's own broker (a child JVM on an
 * ephemeral port), read back with the transport consumer: one protobuf event and one gala-ops JSON
 * event each.
 */
class SlowRequestKafkaTest {
  @TempDir static Path dir;
  private static BrokerProcess broker;

  @BeforeAll
  static void startBroker() {
    // The requests are stamped in 2023: without this the broker's retention check deletes them.
    broker = BrokerProcess.start(dir.resolve("kafka"), "--config", "log.retention.ms=-1");
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void publishesOneEventPerSlowRequestOnBothEventTopics() throws Exception {
    Topics topics =
        new Topics(
            "l7t_records",
            "l7t_metadata",
            "l7t_events",
            "l7t_gala_gopher",
            "l7t_gala_gopher_metadata",
            "l7t_gala_gopher_event");
    KafkaConfig config =
        KafkaConfig.fromMap(
            Map.of(
                "bootstrap_servers",
                broker.bootstrap(),
                "json",
                true,
                "linger_ms",
                5,
                "topics",
                Map.of(
                    "records",
                    topics.records(),
                    "metadata",
                    topics.metadata(),
                    "events",
                    topics.events(),
                    "json_metrics",
                    topics.jsonMetrics(),
                    "json_metadata",
                    topics.jsonMetadata(),
                    "json_events",
                    topics.jsonEvents())));
    List<SlowRequest> period =
        List.of(
            Requests.redisServer(1_700_000_004_990L, 52_000_000),
            Requests.pgsqlClient(1_700_000_004_000L, 9_000_000));
    try (KafkaExporter kafka = new KafkaExporter(config)) {
      SlowRequestTraces traces = new SlowRequestTraces(() -> period, kafka::publish, null);
      traces.onSample(
          new Sample(1_700_000_005_000L, new Identity("m-kafka", "127.0.0.1"), 0, List.of()));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while ((kafka.stats().protobuf().queueBatches() > 0
              || kafka.stats().json().queueBatches() > 0)
          && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
    }

    List<Event> events = new ArrayList<>();
    List<ObjectNode> json = new ArrayList<>();
    TransportConsumer.Handler handler =
        new TransportConsumer.Handler() {
          @Override
          public void onBatch(Topics.Stream stream, Batch batch, SequenceTracker.Outcome outcome) {
            events.addAll(batch.getEvents().getEventsList());
          }

          @Override
          public void onJson(Topics.Stream stream, ObjectNode o) {
            json.add(o);
          }
        };
    try (TransportConsumer consumer =
        new TransportConsumer(
            TransportConsumer.properties(broker.bootstrap(), "l7t"),
            topics,
            List.of(Topics.Stream.EVENTS, Topics.Stream.JSON_EVENTS),
            handler)) {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while ((events.size() < 2 || json.size() < 2) && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200));
      }
    }

    assertThat(events).hasSize(2);
    Event redis = events.get(0);
    assertThat(redis.getTimestampMs()).isEqualTo(1_700_000_004_990L);
    assertThat(redis.getTable()).isEqualTo("l7_rpc_api");
    assertThat(redis.getEntity()).isEqualTo("l7_api");
    assertThat(redis.getMetric()).isEqualTo("latency");
    assertThat(redis.getValue()).isEqualTo(0.052);
    assertThat(redis.getKeysMap())
        .containsEntry("api", "GET")
        .containsEntry("server_port", "6379")
        .containsEntry("l7_role", "server")
        .containsEntry("tgid", "4242");
    assertThat(redis.getDescription())
        .contains("redis request GET of redis-server(4242) took 52.000 ms")
        .endsWith(": GET ?");
    assertThat(events.get(1).getKeysMap())
        .containsEntry("api", "SELECT")
        .containsEntry("l7_role", "client");

    assertThat(json).hasSize(2);
    ObjectNode first = json.get(0);
    assertThat(first.get("Timestamp").asLong()).isEqualTo(1_700_000_004_990L);
    assertThat(first.get("event_id").asText()).isEqualTo("1700000004990_" + redis.getEntityId());
    assertThat(first.at("/Attributes/entity_id").asText()).isEqualTo(redis.getEntityId());
    assertThat(first.at("/Resource/metric").asText()).isEqualTo("gala_gopher_l7_api_latency");
    assertThat(first.at("/Resource/labels/PID").asText()).isEqualTo("4242");
    assertThat(first.at("/Resource/labels/COMM").asText()).isEqualTo("redis-server");
    assertThat(first.get("SeverityText").asText()).isEqualTo("INFO");
    assertThat(first.get("SeverityNumber").asInt()).isEqualTo(9);
    assertThat(first.get("Body").asText())
        .contains("INFO Entity(" + redis.getEntityId() + ") Slow redis request GET");
  }
}
