package io.gala.agent.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gala.agent.event.Severity;
import io.gala.agent.event.SubHealthEvent;
import io.gala.agent.export.Sample;
import io.gala.agent.table.Row;
import io.gala.broker.BrokerProcess;
import io.gala.transport.GalaOpsJson;
import io.gala.transport.RecordView;
import io.gala.transport.SequenceTracker;
import io.gala.transport.Topics;
import io.gala.transport.proto.Batch;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exporter against Kafka's own broker (a child JVM), read back by the consumer library and
 * kcat.
 */
class KafkaExporterTest {
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

  static void awaitFlushed(KafkaExporter ex) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while ((ex.stats().protobuf().queueBatches() > 0 || ex.stats().json().queueBatches() > 0)
        && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(ex.stats().protobuf().queueBatches()).as("protobuf spool drained").isZero();
    assertThat(ex.stats().json().queueBatches()).as("json spool drained").isZero();
  }

  @Test
  void consumerDecodesExactlyTheRowsHandedToOnSample() throws Exception {
    Topics topics = TestSamples.topics("rows");
    List<Sample> sent = new ArrayList<>();
    // 16 KiB batches: the 600-connection samples are split into several parts.
    try (KafkaExporter ex =
        new KafkaExporter(
            TestSamples.config(broker.bootstrap(), topics, 64L << 20, 16 * 1024, false))) {
      for (int i = 0; i < 5; i++) {
        Sample s = TestSamples.sample(1_700_000_005_000L + i * 5000L, i == 2 ? 600 : 40);
        sent.add(s);
        ex.onSample(s);
      }
      awaitFlushed(ex);
      assertThat(ex.stats().protobuf().batchesDropped()).isZero();
    }
    try (Collector c =
        new Collector(
            broker.bootstrap(),
            topics,
            "rows",
            List.of(Topics.Stream.RECORDS, Topics.Stream.METADATA))) {
      int rows = sent.stream().mapToInt(s -> s.rows().size()).sum();
      assertThat(
              c.pollUntil(
                  () ->
                      c.records.stream().mapToInt(KafkaExporterTest::rowCount).sum() >= rows
                          && !c.metadata.isEmpty(),
                  Duration.ofSeconds(60)))
          .isTrue();

      Map<Long, List<Batch>> byTs =
          c.records.stream()
              .collect(
                  Collectors.groupingBy(Batch::getTimestampMs, TreeMap::new, Collectors.toList()));
      assertThat(byTs.keySet())
          .containsExactlyElementsOf(sent.stream().map(Sample::timestampMillis).toList());
      for (Sample s : sent) {
        List<Batch> parts = byTs.get(s.timestampMillis());
        assertThat(parts)
            .allMatch(
                b ->
                    b.getParts() == parts.size()
                        && b.getMachineId().equals(TestSamples.ID.machineId())
                        && b.getAgentStartMs() == s.agentStartMillis()
                        && b.getHostIp().equals("192.168.0.1"));
        assertThat(parts)
            .extracting(Batch::getPart)
            .containsExactlyInAnyOrderElementsOf(
                java.util.stream.IntStream.rangeClosed(1, parts.size()).boxed().toList());
        List<RecordView> decoded =
            parts.stream().flatMap(b -> RecordView.of(b.getRecords()).stream()).toList();
        List<RecordView> expected = s.rows().stream().map(TestSamples::expected).toList();
        assertThat(decoded).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(parts.stream().allMatch(b -> b.getSerializedSize() <= 16 * 1024 + 512)).isTrue();
      }
      assertThat(byTs.get(sent.get(2).timestampMillis()))
          .as("the large sample was split")
          .hasSizeGreaterThan(1);
      assertThat(c.records)
          .extracting(Batch::getSequence)
          .containsExactlyElementsOf(
              java.util.stream.LongStream.rangeClosed(1, c.records.size()).boxed().toList());
      assertThat(c.consumer.missing()).isZero();
      assertThat(c.consumer.duplicates()).isZero();
      Set<String> described = new HashSet<>();
      c.metadata.forEach(
          b -> b.getMetadata().getTablesList().forEach(t -> described.add(t.getTable())));
      assertThat(described).containsExactlyInAnyOrder("tcp_link", "proc");
      assertThat(c.metadata.get(0).getMetadata().getTables(0).getMetricsList())
          .anyMatch(
              m ->
                  m.getName().equals("rx_bytes")
                      && m.getUnit().equals("bytes")
                      && m.getHelp().equals("Bytes received"));
    }
  }

  private static int rowCount(Batch b) {
    return b.getRecords().getTablesList().stream().mapToInt(t -> t.getRowsCount()).sum();
  }

  @Test
  void kcatReadsGalaOpsShapedJsonWithPerPeriodCounters() throws Exception {
    Topics topics = TestSamples.topics("json");
    Sample first = TestSamples.sample(1_700_000_005_000L, 3);
    Sample second = TestSamples.sample(1_700_000_010_000L, 3);
    SubHealthEvent event =
        new SubHealthEvent(
            1_700_000_010_000L,
            TestSamples.ID.machineId(),
            TestSamples.ID.machineId() + "_endpoint_tcp_99_server_10.0.0.1_6379",
            "endpoint_tcp",
            "endpoint_tcp",
            "listendrop",
            Severity.WARN,
            "TCP listen drops(12).",
            Map.of("tgid", "99"),
            Map.of("PID", "99", "COMM", "redis-server", "IP", "Client , Server 10.0.0.1:6379"),
            12,
            0);
    try (KafkaExporter ex =
        new KafkaExporter(
            TestSamples.config(broker.bootstrap(), topics, 64L << 20, 512 * 1024, true))) {
      ex.onSample(first);
      ex.onSample(second);
      ex.publish(List.of(event));
      awaitFlushed(ex);
    }

    List<JsonNode> metrics = Kcat.read(broker.bootstrap(), topics.jsonMetrics());
    assertThat(metrics).hasSize(first.rows().size() + second.rows().size());
    for (JsonNode m : metrics) {
      assertThat(m.get("timestamp").isNumber()).isTrue();
      assertThat(m.get("machine_id").asText()).isEqualTo(TestSamples.ID.machineId());
      assertThat(m.get("entity_name").asText()).isIn("tcp_link", "proc");
      m.fields()
          .forEachRemaining(
              f ->
                  assertThat(f.getKey().equals("timestamp") || f.getValue().isTextual())
                      .as("gala-ops values are strings: " + f.getKey())
                      .isTrue());
    }
    Row conn0 = first.rows().get(0);
    Row conn0Later = second.rows().get(0);
    List<JsonNode> conn0Json =
        metrics.stream()
            .filter(
                m ->
                    m.get("entity_name").asText().equals("tcp_link")
                        && m.get("client_port").asText().equals(conn0.key("client_port")))
            .toList();
    assertThat(conn0Json).hasSize(2);
    assertThat(conn0Json.get(0).get("rx_bytes").asText())
        .isEqualTo(GalaOpsEncoder.number(conn0.value("rx_bytes")));
    // The second report carries the increase over the first: a per-period value, as gala-gopher's.
    assertThat(conn0Json.get(1).get("rx_bytes").asText())
        .isEqualTo(GalaOpsEncoder.number(conn0Later.value("rx_bytes") - conn0.value("rx_bytes")));
    assertThat(conn0Json.get(1).get("comm").asText()).isEqualTo("redis-\"cli\"");
    JsonNode withHist = metrics.stream().filter(m -> m.has("srtt")).findFirst().orElseThrow();
    GalaOpsJson.HistogramString h = GalaOpsJson.parseHistogram(withHist.get("srtt").asText());
    assertThat(h.upperBounds()).containsExactly(100, 1000, 10000, 100000, -1L);

    List<JsonNode> meta = Kcat.read(broker.bootstrap(), topics.jsonMetadata());
    assertThat(meta)
        .extracting(m -> m.get("meta_name").asText())
        .containsExactlyInAnyOrder("tcp_link", "proc");
    JsonNode tcpMeta =
        meta.stream()
            .filter(m -> m.get("meta_name").asText().equals("tcp_link"))
            .findFirst()
            .orElseThrow();
    assertThat(tcpMeta.get("version").asText()).isEqualTo("1.0.0");
    assertThat(tcpMeta.get("keys").get(0).asText()).isEqualTo("machine_id");
    assertThat(tcpMeta.get("metrics").toString()).contains("rx_bytes").doesNotContain("srtt");

    List<JsonNode> events = Kcat.read(broker.bootstrap(), topics.jsonEvents());
    assertThat(events).hasSize(1);
    JsonNode e = events.get(0);
    assertThat(e.get("Timestamp").asLong()).isEqualTo(1_700_000_010_000L);
    assertThat(e.get("event_id").asText()).isEqualTo("1700000010000_" + event.entityId());
    assertThat(e.get("Attributes").get("entity_id").asText()).isEqualTo(event.entityId());
    assertThat(e.get("Attributes").get("event_type").asText()).isEqualTo("sys");
    assertThat(e.get("Resource").get("metric").asText())
        .isEqualTo("gala_gopher_endpoint_tcp_listendrop");
    assertThat(e.get("Resource").get("labels").get("Host").asText())
        .isEqualTo(TestSamples.ID.machineId());
    assertThat(e.get("Resource").get("labels").get("PID").asText()).isEqualTo("99");
    assertThat(e.get("SeverityText").asText()).isEqualTo("WARN");
    assertThat(e.get("SeverityNumber").asInt()).isEqualTo(13);
    assertThat(e.get("Body").asText())
        .matches(
            "\\w{3} \\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\d{4} WARN Entity\\("
                + java.util.regex.Pattern.quote(event.entityId())
                + "\\) TCP listen drops\\(12\\)\\.");

    try (Collector c =
        new Collector(broker.bootstrap(), topics, "events", List.of(Topics.Stream.EVENTS))) {
      assertThat(c.pollUntil(() -> !c.events.isEmpty(), Duration.ofSeconds(30))).isTrue();
      assertThat(c.events.get(0).getSequence()).isEqualTo(1);
      assertThat(c.outcomes).containsExactly(SequenceTracker.Outcome.FIRST);
      assertThat(c.events.get(0).getEvents().getEvents(0).getDescription())
          .isEqualTo("TCP listen drops(12).");
    }
  }
}
