package io.gala.agent.kafka;

import io.gala.transport.Topics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Settings of the Kafka transport, defaults in code ({@link #defaults(String)}); read from the
 * agent config's {@code "kafka"} section by {@link #fromMap}. Every key is in docs/transport.md.
 *
 * @param bootstrapServers {@code host:port,...}; empty = transport off
 * @param topics the six topic names (gala's protobuf ones and gala-ops JSON ones)
 * @param json also write gala-ops JSON on the {@code gala_gopher*} topics
 * @param spoolBytes memory for protobuf batches not yet acknowledged by the brokers; beyond it the
 *     oldest are dropped and counted
 * @param jsonSpoolBytes the same for the JSON topics, so that JSON never crowds out protobuf
 * @param maxBatchBytes a sample larger than this is split into several batches
 * @param compression the producer's {@code compression.type}: none, gzip, snappy, lz4, zstd
 * @param lingerMs how long the producer waits to fill a request
 * @param metadataPeriodMs how often table metadata is sent again (also sent when a table first
 *     appears)
 * @param client more Kafka producer settings passed through as they are: TLS ({@code
 *     security.protocol}, {@code ssl.*}) and SASL ({@code sasl.*}); the delivery guarantees cannot
 *     be overridden
 */
public record KafkaConfig(
    String bootstrapServers,
    Topics topics,
    boolean json,
    long spoolBytes,
    long jsonSpoolBytes,
    int maxBatchBytes,
    String compression,
    int lingerMs,
    long metadataPeriodMs,
    Map<String, String> client) {

  /** Producer settings the transport's guarantees depend on; set by the transport only. */
  static final Set<String> RESERVED =
      Set.of(
          "acks",
          "enable.idempotence",
          "delivery.timeout.ms",
          "retries",
          "max.in.flight.requests.per.connection",
          "key.serializer",
          "value.serializer",
          "buffer.memory",
          "bootstrap.servers",
          "compression.type",
          "linger.ms",
          "max.request.size",
          "transactional.id");

  private static final Set<String> COMPRESSIONS = Set.of("none", "gzip", "snappy", "lz4", "zstd");

  public KafkaConfig {
    topics = topics == null ? Topics.DEFAULT : topics;
    client = Map.copyOf(client == null ? Map.of() : client);
    if (spoolBytes < 64 * 1024) {
      throw new IllegalArgumentException(
          "kafka.spool_bytes must be at least 65536, not " + spoolBytes);
    }
    if (jsonSpoolBytes < 64 * 1024) {
      throw new IllegalArgumentException(
          "kafka.json_spool_bytes must be at least 65536, not " + jsonSpoolBytes);
    }
    if (maxBatchBytes < 16 * 1024 || maxBatchBytes > 8 * 1024 * 1024) {
      throw new IllegalArgumentException(
          "kafka.max_batch_bytes must be in [16384, 8388608], not " + maxBatchBytes);
    }
    if (!COMPRESSIONS.contains(compression)) {
      throw new IllegalArgumentException(
          "kafka.compression must be one of " + COMPRESSIONS + ", not " + compression);
    }
    if (lingerMs < 0 || lingerMs > 10_000) {
      throw new IllegalArgumentException("kafka.linger_ms must be in [0, 10000], not " + lingerMs);
    }
    if (metadataPeriodMs < 1000) {
      throw new IllegalArgumentException(
          "kafka.metadata_period_s must be at least 1, not " + metadataPeriodMs / 1000.0);
    }
    for (String k : client.keySet()) {
      if (RESERVED.contains(k)) {
        throw new IllegalArgumentException(
            "kafka.client."
                + k
                + " cannot be set: the transport sets it for its"
                + " delivery guarantees (see docs/transport.md)");
      }
    }
  }

  /** The defaults with the given brokers (empty = off). */
  public static KafkaConfig defaults(String bootstrapServers) {
    return new KafkaConfig(
        bootstrapServers,
        Topics.DEFAULT,
        false,
        64L << 20,
        16L << 20,
        512 * 1024,
        "lz4",
        50,
        300_000,
        Map.of());
  }

  public boolean enabled() {
    return !bootstrapServers.isBlank();
  }

  public KafkaConfig withJson(boolean on) {
    return new KafkaConfig(
        bootstrapServers,
        topics,
        on,
        spoolBytes,
        jsonSpoolBytes,
        maxBatchBytes,
        compression,
        lingerMs,
        metadataPeriodMs,
        client);
  }

  public KafkaConfig withSpoolBytes(long bytes) {
    return new KafkaConfig(
        bootstrapServers,
        topics,
        json,
        bytes,
        jsonSpoolBytes,
        maxBatchBytes,
        compression,
        lingerMs,
        metadataPeriodMs,
        client);
  }

  /**
   * Reads the agent config's {@code "kafka"} object (JSON decoded to maps); unknown keys are an
   * error. An empty map means the transport is off.
   */
  public static KafkaConfig fromMap(Map<String, Object> m) {
    KafkaConfig d = defaults("");
    Map<String, Object> in = new LinkedHashMap<>(m == null ? Map.of() : m);
    String bootstrap =
        text(in.remove("bootstrap_servers"), "bootstrap_servers", d.bootstrapServers());
    boolean json = bool(in.remove("json"), "json", d.json());
    long spool = number(in.remove("spool_bytes"), "spool_bytes", d.spoolBytes());
    long jsonSpool = number(in.remove("json_spool_bytes"), "json_spool_bytes", d.jsonSpoolBytes());
    long maxBatch = number(in.remove("max_batch_bytes"), "max_batch_bytes", d.maxBatchBytes());
    String compression = text(in.remove("compression"), "compression", d.compression());
    long linger = number(in.remove("linger_ms"), "linger_ms", d.lingerMs());
    long metaPeriod =
        number(in.remove("metadata_period_s"), "metadata_period_s", d.metadataPeriodMs() / 1000);
    Topics topics = topics(in.remove("topics"));
    Map<String, String> client = new LinkedHashMap<>();
    Object c = in.remove("client");
    if (c != null) {
      if (!(c instanceof Map<?, ?> cm)) {
        throw new IllegalArgumentException(
            "kafka.client must be an object of Kafka producer settings, not " + c);
      }
      cm.forEach((k, v) -> client.put(String.valueOf(k), String.valueOf(v)));
    }
    if (!in.isEmpty()) {
      throw new IllegalArgumentException(
          "unknown key(s) "
              + in.keySet()
              + " in kafka; known: [bootstrap_servers, "
              + "topics, json, spool_bytes, json_spool_bytes, max_batch_bytes, compression, linger_ms, "
              + "metadata_period_s, client]");
    }
    return new KafkaConfig(
        bootstrap,
        topics,
        json,
        spool,
        jsonSpool,
        (int) Math.min(maxBatch, Integer.MAX_VALUE),
        compression,
        (int) Math.min(linger, Integer.MAX_VALUE),
        metaPeriod * 1000,
        client);
  }

  private static Topics topics(Object o) {
    if (o == null) {
      return Topics.DEFAULT;
    }
    if (!(o instanceof Map<?, ?> m)) {
      throw new IllegalArgumentException("kafka.topics must be an object, not " + o);
    }
    Map<Object, Object> t = new LinkedHashMap<>(m);
    Topics d = Topics.DEFAULT;
    Topics topics =
        new Topics(
            text(t.remove("records"), "topics.records", d.records()),
            text(t.remove("metadata"), "topics.metadata", d.metadata()),
            text(t.remove("events"), "topics.events", d.events()),
            text(t.remove("json_metrics"), "topics.json_metrics", d.jsonMetrics()),
            text(t.remove("json_metadata"), "topics.json_metadata", d.jsonMetadata()),
            text(t.remove("json_events"), "topics.json_events", d.jsonEvents()));
    if (!t.isEmpty()) {
      throw new IllegalArgumentException(
          "unknown key(s) "
              + t.keySet()
              + " in kafka.topics; known: "
              + List.of(
                  "records", "metadata", "events", "json_metrics", "json_metadata", "json_events"));
    }
    return topics;
  }

  private static String text(Object v, String key, String dflt) {
    if (v == null) {
      return dflt;
    }
    if (!(v instanceof String s)) {
      throw new IllegalArgumentException("kafka." + key + " must be a string, not " + v);
    }
    return s;
  }

  private static boolean bool(Object v, String key, boolean dflt) {
    if (v == null) {
      return dflt;
    }
    if (!(v instanceof Boolean b)) {
      throw new IllegalArgumentException("kafka." + key + " must be true or false, not " + v);
    }
    return b;
  }

  private static long number(Object v, String key, long dflt) {
    if (v == null) {
      return dflt;
    }
    if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
      throw new IllegalArgumentException("kafka." + key + " must be an integer, not " + v);
    }
    return n.longValue();
  }
}
