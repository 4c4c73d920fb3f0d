package io.gala.agent.kafka;

import io.gala.agent.event.SubHealthEvent;
import io.gala.agent.export.Sample;
import io.gala.agent.export.SampleListener;
import io.gala.agent.table.Row;
import io.gala.agent.table.TableDef;
import io.gala.transport.BatchCodec;
import io.gala.transport.Topics;
import io.gala.transport.proto.Batch;
import io.gala.transport.proto.Records;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends every sample to Kafka: protobuf batches of the rows on gala's records topic (split when
 * large), table metadata when a table first appears and periodically, sub-health events ({@link
 * #publish}); and, when configured, the same as gala-ops JSON on the {@code gala_gopher*} topics.
 * Each protobuf stream carries a per-agent sequence number (1, 2, ...) so that the consumer sees
 * what is missing. Records are keyed by machine_id. {@link #onSample} only encodes and spools: it
 * never waits for Kafka.
 *
 * <pre>{@code
 * KafkaExporter kafka = new KafkaExporter(KafkaConfig.defaults("127.0.0.1:9092").withJson(true));
 * sampler.addListener(kafka);
 * sampler.addListener(new SubHealthDetector(params, kafka::publish));
 * sampler.addRowSource(kafka::selfRows);
 * }</pre>
 */
public final class KafkaExporter implements SampleListener, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(KafkaExporter.class.getName());

  /** The Kafka client's INFO lines (config dumps, reconnects) are noise in the agent's log. */
  private static final Logger KAFKA_CLIENT_LOG = Logger.getLogger("org.apache.kafka");

  /** The transport's own counters, exported as {@code gala_gopher_agent_kafka_*}. */
  public static final TableDef AGENT_KAFKA =
      TableDef.builder("agent_kafka")
          .keys("spool")
          .gauge(
              "queue_batches",
              "",
              "Kafka records waiting in the spool or in flight (not yet acknowledged)")
          .gauge("queue_bytes", "bytes", "Bytes waiting in the spool or in flight")
          .gauge(
              "capacity_bytes", "bytes", "Spool capacity: what the transport promises to deliver")
          .counter("batches_sent", "", "Kafka records acknowledged by the brokers")
          .counter("records_sent", "", "Rows (or events) in acknowledged Kafka records")
          .counter(
              "bytes_sent",
              "bytes",
              "Key and value bytes acknowledged by the brokers, before compression")
          .counter(
              "batches_dropped",
              "",
              "Kafka records dropped (spool full, oldest first) or given up by the client")
          .counter("records_dropped", "", "Rows (or events) in dropped Kafka records")
          .counter(
              "send_errors",
              "",
              "Errors the Kafka client reported (sends refused and failed deliveries)")
          .build();

  private final KafkaConfig config;
  private final Topics topics;
  private final BatchEncoder batches;
  private final GalaOpsEncoder json;
  private final Spool protobufSpool;
  private final Spool jsonSpool;
  private final KafkaSender sender;
  private final Map<String, TableDef> tables = new LinkedHashMap<>();
  private final long[] sequences = new long[3];
  private long lastMetadataMillis = Long.MIN_VALUE;
  private long encodeErrors;
  private volatile String hostIp = "";
  private volatile long agentStartMillis;

  public KafkaExporter(KafkaConfig config) {
    this(config, ZoneId.systemDefault());
  }

  KafkaExporter(KafkaConfig config, ZoneId zone) {
    if (!config.enabled()) {
      throw new IllegalArgumentException(
          "kafka.bootstrap_servers is empty: the Kafka transport is off");
    }
    KAFKA_CLIENT_LOG.setLevel(Level.WARNING);
    this.config = config;
    this.topics = config.topics();
    this.batches = new BatchEncoder(config.maxBatchBytes());
    this.json = new GalaOpsEncoder(zone, 600_000);
    long inflight = inflightLimit(config.spoolBytes());
    long jsonInflight = inflightLimit(config.jsonSpoolBytes());
    Producer<byte[], byte[]> producer =
        new KafkaProducer<>(
            producerProperties(config, inflight + jsonInflight),
            new ByteArraySerializer(),
            new ByteArraySerializer());
    KafkaSender[] s = new KafkaSender[1];
    Runnable wake = () -> s[0].wake();
    this.protobufSpool = new Spool("protobuf", config.spoolBytes(), inflight, wake);
    this.jsonSpool = new Spool("json", config.jsonSpoolBytes(), jsonInflight, wake);
    this.sender = new KafkaSender(producer, List.of(protobufSpool, jsonSpool));
    s[0] = sender;
    sender.start();
  }

  /**
   * A quarter of the spool (at most 8 MiB) may be in the producer; the rest can be dropped oldest
   * first.
   */
  static long inflightLimit(long spoolBytes) {
    return Math.min(spoolBytes / 4, 8L << 20);
  }

  static Properties producerProperties(KafkaConfig c, long inflightBytes) {
    Properties p = new Properties();
    p.putAll(c.client());
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, c.bootstrapServers());
    p.put(ProducerConfig.CLIENT_ID_CONFIG, c.client().getOrDefault("client.id", "gala-agent"));
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
    p.put(ProducerConfig.RETRIES_CONFIG, String.valueOf(Integer.MAX_VALUE));
    // Never give up a batch the spool still counts: the spool, not the client, decides what is
    // dropped.
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(Integer.MAX_VALUE));
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, c.compression());
    p.put(ProducerConfig.LINGER_MS_CONFIG, String.valueOf(c.lingerMs()));
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
    // Room for everything the sender may hand over, so that send() never waits for memory.
    p.put(
        ProducerConfig.BUFFER_MEMORY_CONFIG,
        String.valueOf(2 * inflightBytes + 2L * c.maxBatchBytes() + (4L << 20)));
    p.put(
        ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
        String.valueOf(Math.max(1 << 20, c.maxBatchBytes() + 64 * 1024)));
    // Only the sender thread waits (for metadata while no broker answers); the record then stays
    // spooled.
    p.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000");
    p.putIfAbsent(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "2000");
    return p;
  }

  @Override
  public void onSample(Sample sample) {
    try {
      encode(sample);
    } catch (RuntimeException e) {
      synchronized (this) {
        encodeErrors++;
      }
      LOG.log(
          Level.WARNING,
          "kafka: encoding the sample of " + sample.timestampMillis() + " failed; skipped",
          e);
    }
  }

  private synchronized void encode(Sample sample) {
    String machineId = sample.identity().machineId();
    byte[] key = machineId.getBytes(StandardCharsets.UTF_8);
    long ts = sample.timestampMillis();
    hostIp = sample.identity().hostIp() == null ? "" : sample.identity().hostIp();
    agentStartMillis = sample.agentStartMillis();
    List<TableDef> newTables = new ArrayList<>();
    for (Row r : sample.rows()) {
      if (tables.putIfAbsent(r.table().name(), r.table()) == null) {
        newTables.add(r.table());
      }
    }
    boolean periodic = ts - lastMetadataMillis >= config.metadataPeriodMs();
    if (!newTables.isEmpty() || periodic) {
      lastMetadataMillis = periodic ? ts : lastMetadataMillis;
      List<TableDef> send = periodic ? List.copyOf(tables.values()) : newTables;
      Batch.Builder b =
          BatchEncoder.header(machineId, hostIp, sample.agentStartMillis(), ts)
              .setMetadata(BatchEncoder.metadata(send))
              .setPart(1)
              .setParts(1);
      spoolBatch(protobufSpool, Topics.Stream.METADATA, topics.metadata(), key, b, send.size());
      if (config.json()) {
        for (byte[] m : json.metadata(send, ts)) {
          jsonSpool.offer(
              new Outgoing(topics.jsonMetadata(), key, m, ts, Topics.Stream.JSON_METADATA, 0, 1));
        }
      }
    }
    List<Records> parts = batches.records(sample);
    for (int i = 0; i < parts.size(); i++) {
      Batch.Builder b =
          BatchEncoder.header(machineId, hostIp, sample.agentStartMillis(), ts)
              .setRecords(parts.get(i))
              .setPart(i + 1)
              .setParts(parts.size());
      int rows = parts.get(i).getTablesList().stream().mapToInt(t -> t.getRowsCount()).sum();
      spoolBatch(protobufSpool, Topics.Stream.RECORDS, topics.records(), key, b, rows);
    }
    if (config.json()) {
      for (byte[] m : json.metrics(sample)) {
        jsonSpool.offer(
            new Outgoing(topics.jsonMetrics(), key, m, ts, Topics.Stream.JSON_METRICS, 0, 1));
      }
    }
  }

  /**
   * Sends sub-health events: one protobuf batch on the events topic, one JSON object each on
   * gala_gopher_event.
   */
  public void publish(List<SubHealthEvent> events) {
    if (events.isEmpty()) {
      return;
    }
    try {
      publishEvents(events);
    } catch (RuntimeException e) {
      synchronized (this) {
        encodeErrors++;
      }
      LOG.log(Level.WARNING, "kafka: encoding " + events.size() + " events failed; skipped", e);
    }
  }

  private synchronized void publishEvents(List<SubHealthEvent> events) {
    SubHealthEvent first = events.get(0);
    byte[] key = first.machineId().getBytes(StandardCharsets.UTF_8);
    Batch.Builder b =
        BatchEncoder.header(first.machineId(), hostIp, agentStartMillis, first.timestampMillis())
            .setEvents(BatchEncoder.events(events))
            .setPart(1)
            .setParts(1);
    spoolBatch(protobufSpool, Topics.Stream.EVENTS, topics.events(), key, b, events.size());
    if (config.json()) {
      for (SubHealthEvent e : events) {
        jsonSpool.offer(
            new Outgoing(
                topics.jsonEvents(),
                key,
                json.event(e),
                e.timestampMillis(),
                Topics.Stream.JSON_EVENTS,
                0,
                1));
      }
    }
  }

  private void spoolBatch(
      Spool spool, Topics.Stream stream, String topic, byte[] key, Batch.Builder b, int records) {
    long seq = ++sequences[stream.ordinal()];
    byte[] value = BatchCodec.encode(b.setSequence(seq).build());
    spool.offer(new Outgoing(topic, key, value, b.getTimestampMs(), stream, seq, records));
  }

  /** The transport's counters; cheap, from any thread. */
  public KafkaStats stats() {
    return new KafkaStats(
        spoolStats(protobufSpool), spoolStats(jsonSpool), sender.sendErrors(), encodeErrorCount());
  }

  private synchronized long encodeErrorCount() {
    return encodeErrors;
  }

  private static KafkaStats.SpoolStats spoolStats(Spool s) {
    long droppedBatches = 0;
    long droppedRecords = 0;
    for (Topics.Stream st : Topics.Stream.values()) {
      droppedBatches += s.droppedBatches(st);
      droppedRecords += s.droppedRecords(st);
    }
    return new KafkaStats.SpoolStats(
        s.batches(),
        s.bytes(),
        s.capacityBytes(),
        s.sentBatches(),
        s.sentRecords(),
        s.sentBytes(),
        droppedBatches,
        droppedRecords);
  }

  /** The last sequence number given on a protobuf stream: how many batches it produced. */
  synchronized long lastSequence(Topics.Stream stream) {
    return sequences[stream.ordinal()];
  }

  /**
   * Protobuf batches of one stream dropped or lost: the sequence numbers a consumer finds missing.
   */
  public long droppedBatches(Topics.Stream stream) {
    return (stream.isProtobuf() ? protobufSpool : jsonSpool).droppedBatches(stream);
  }

  /** The {@link #AGENT_KAFKA} rows, one per spool, for the agent's own metrics. */
  public void selfRows(Consumer<Row> sink) {
    KafkaStats st = stats();
    sink.accept(row("protobuf", st.protobuf(), st.sendErrors()));
    sink.accept(row("json", st.json(), 0));
  }

  private static Row row(String spool, KafkaStats.SpoolStats s, long sendErrors) {
    return AGENT_KAFKA
        .row()
        .key("spool", spool)
        .set("queue_batches", s.queueBatches())
        .set("queue_bytes", s.queueBytes())
        .set("capacity_bytes", s.capacityBytes())
        .set("batches_sent", s.batchesSent())
        .set("records_sent", s.recordsSent())
        .set("bytes_sent", s.bytesSent())
        .set("batches_dropped", s.batchesDropped())
        .set("records_dropped", s.recordsDropped())
        .set("send_errors", sendErrors)
        .build();
  }

  /**
   * Sends what is spooled for up to 5 s, then closes the producer; what is left is counted dropped.
   */
  @Override
  public void close() {
    sender.close();
  }
}
