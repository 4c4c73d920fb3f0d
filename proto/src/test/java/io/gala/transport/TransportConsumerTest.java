package io.gala.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gala.broker.BrokerProcess;
import io.gala.transport.proto.Batch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The consumer against Kafka's own broker: corrupt values on the topics are skipped and counted.
 */
class TransportConsumerTest {
  @TempDir static Path dir;

  private static BrokerProcess broker;

  @BeforeAll
  static void startBroker() {
    // The fixtures are stamped in 2023: without this the broker's retention check deletes them.
    broker = BrokerProcess.start(dir.resolve("kafka"), "--config", "log.retention.ms=-1");
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void skipsAndCountsGarbageAndTruncatedValuesAndKeepsGoing() throws Exception {
    Topics topics =
        new Topics("t_records", "t_metadata", "t_events", "t_json", "t_json_meta", "t_json_event");
    Batch b1 = V1Fixture.records().toBuilder().setSequence(1).build();
    Batch b2 = V1Fixture.records().toBuilder().setSequence(2).build();
    Batch b3 = V1Fixture.records().toBuilder().setSequence(3).build();
    byte[] valid2 = BatchCodec.encode(b2);
    byte[] garbage = new byte[200];
    new Random(1).nextBytes(garbage);
    List<byte[]> records =
        List.of(
            BatchCodec.encode(b1),
            garbage,
            Arrays.copyOf(valid2, valid2.length / 2), // truncated protobuf
            Arrays.copyOf(
                valid2, valid2.length - 5), // protobuf without its trailer: a shorter valid message
            new byte[0],
            BatchCodec.encode(V1Fixture.events()), // an events batch on the records topic
            valid2,
            BatchCodec.encode(b3));
    List<byte[]> json =
        List.of(
            "not json at all".getBytes(StandardCharsets.UTF_8),
            "{\"timestamp\":1,\"machine_id\":\"m\"".getBytes(StandardCharsets.UTF_8),
            "{\"timestamp\":1,\"machine_id\":\"m\",\"entity_name\":\"tcp_link\",\"rx_bytes\":\"5\"}"
                .getBytes(StandardCharsets.UTF_8));
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (byte[] r : records) {
        producer.send(new ProducerRecord<>(topics.records(), r)).get();
      }
      for (byte[] j : json) {
        producer.send(new ProducerRecord<>(topics.jsonMetrics(), j)).get();
      }
    }

    List<Long> sequences = new ArrayList<>();
    List<ObjectNode> objects = new ArrayList<>();
    TransportConsumer.Handler handler =
        new TransportConsumer.Handler() {
          @Override
          public void onBatch(Topics.Stream stream, Batch batch, SequenceTracker.Outcome outcome) {
            sequences.add(batch.getSequence());
          }

          @Override
          public void onJson(Topics.Stream stream, ObjectNode o) {
            objects.add(o);
          }
        };
    try (TransportConsumer c =
        new TransportConsumer(
            TransportConsumer.properties(broker.bootstrap(), "test-corrupt"),
            topics,
            List.of(Topics.Stream.RECORDS, Topics.Stream.JSON_METRICS),
            handler)) {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (c.received(Topics.Stream.RECORDS) + c.received(Topics.Stream.JSON_METRICS)
              < records.size() + json.size()
          && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(500));
      }
      assertThat(sequences).containsExactly(1L, 2L, 3L);
      assertThat(c.corrupt(Topics.Stream.RECORDS)).isEqualTo(5);
      assertThat(c.missing()).isZero();
      assertThat(c.duplicates()).isZero();
      assertThat(objects).hasSize(1);
      assertThat(objects.get(0).get("rx_bytes").asText()).isEqualTo("5");
      assertThat(c.corrupt(Topics.Stream.JSON_METRICS)).isEqualTo(2);
    }
  }
}
