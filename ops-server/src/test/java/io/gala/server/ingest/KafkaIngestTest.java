package io.gala.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.gala.broker.BrokerProcess;
import io.gala.server.topology.Edge;
import io.gala.server.topology.Relation;
import io.gala.server.topology.Snapshot;
import io.gala.server.topology.TopologyBuilder;
import io.gala.transport.BatchCodec;
import io.gala.transport.proto.Batch;
import io.gala.transport.proto.Column;
import io.gala.transport.proto.MetricKind;
import io.gala.transport.proto.Records;
import io.gala.transport.proto.Row;
import io.gala.transport.proto.TableRows;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's Kafka ingest against Kafka's own broker: two agents' batches become one cross-host
 * connection in the topology; garbage, truncated and replayed values in between are skipped and
 * counted, and nothing valid is lost.
 */
class KafkaIngestTest {
  static final String TOPIC = "gt_server_records";
  static final String A = "aaaa-10.0.0.1";
  static final String B = "bbbb-10.0.0.2";

  @TempDir static Path dir;
  static BrokerProcess broker;

  @BeforeAll
  static void startBroker() {
    broker = BrokerProcess.start(dir.resolve("kafka"));
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  static Batch linkBatch(String mid, long seq, long t, String role, int tgid) {
    TableRows rows =
        TableRows.newBuilder()
            .setTable("tcp_link")
            .addAllKeyNames(
                List.of("tgid", "role", "client_ip", "client_port", "server_ip", "server_port"))
            .addAllLabelNames(List.of("comm"))
            .addMetrics(
                Column.newBuilder().setName("rx_bytes").setKind(MetricKind.METRIC_KIND_COUNTER))
            .addRows(
                Row.newBuilder()
                    .addAllKeys(
                        List.of(
                            String.valueOf(tgid), role, "10.0.0.1", "40000", "10.0.0.2", "6379"))
                    .addLabels(role.equals("client") ? "redis-benchmark" : "redis-server")
                    .addValues(1000.0 * seq))
            .build();
    return Batch.newBuilder()
        .setVersion(1)
        .setMachineId(mid)
        .setAgentStartMs(1)
        .setSequence(seq)
        .setTimestampMs(t)
        .setPart(1)
        .setParts(1)
        .setRecords(Records.newBuilder().addTables(rows))
        .build();
  }

  @Test
  void batchesOfTwoAgentsBecomeOneCrossHostConnectionAndGarbageIsCounted() throws Exception {
    long t = System.currentTimeMillis() - 5000;
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
    byte[] a1 = BatchCodec.encode(linkBatch(A, 1, t, "client", 100));
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(TOPIC, A, a1)).get();
      producer.send(new ProducerRecord<>(TOPIC, A, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9})).get();
      producer
          .send(new ProducerRecord<>(TOPIC, A, java.util.Arrays.copyOf(a1, a1.length / 2)))
          .get();
      producer.send(new ProducerRecord<>(TOPIC, A, a1)).get(); // replayed
      producer
          .send(
              new ProducerRecord<>(TOPIC, B, BatchCodec.encode(linkBatch(B, 1, t, "server", 200))))
          .get();
    }
    TopologyBuilder topology = TopologyBuilder.withDefaults();
    Ingestor ingestor = new Ingestor(List.of(topology), System::currentTimeMillis);
    IngestProperties.Kafka cfg =
        new IngestProperties.Kafka(
            true, broker.bootstrap(), "gt-server-group", TOPIC, 1, Duration.ofSeconds(1), Map.of());
    try (KafkaIngest kafka = new KafkaIngest(cfg, ingestor)) {
      kafka.start();
      long deadline = System.currentTimeMillis() + 60_000;
      while (ingestor.stats().records() < 2 && System.currentTimeMillis() < deadline) {
        Thread.sleep(100);
      }
      Thread.sleep(500);
      assertThat(ingestor.stats().records()).isEqualTo(2);
      assertThat(ingestor.stats().duplicates()).isEqualTo(1);
      assertThat(kafka.corrupt()).isEqualTo(2);
    }
    Snapshot s = topology.snapshot(System.currentTimeMillis());
    assertThat(s.edges().values())
        .filteredOn(e -> e.type() == Relation.IS_PEER)
        .singleElement()
        .extracting(Edge::detail)
        .isEqualTo("10.0.0.2:6379");
    assertThat(s.edges().values())
        .anyMatch(
            e ->
                e.type() == Relation.CONNECT
                    && e.from().equals(EntityIds.of(A, "proc", "100"))
                    && e.to().equals(EntityIds.of(B, "proc", "200")));
  }
}
