package io.gala.transport;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gala.transport.proto.Batch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the transport's topics and hands each decoded batch or JSON object to a {@link Handler}:
 * protobuf batches with the outcome of their sequence check (gaps and duplicates counted per agent
 * run), gala-ops JSON objects as parsed trees. A value that does not decode is skipped and counted
 * per stream, never fatal. One thread polls; counters may be read from any thread.
 *
 * <pre>{@code
 * try (TransportConsumer c = new TransportConsumer(TransportConsumer.properties("127.0.0.1:9092", "ops-server"),
 *     Topics.DEFAULT, List.of(Topics.Stream.RECORDS), handler)) {
 *   c.run(); // until close() from another thread
 * }
 * }</pre>
 */
public final class TransportConsumer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(TransportConsumer.class.getName());

  /** Receives what the consumer decoded, on the polling thread. */
  public interface Handler {
    /** A valid gala batch; a {@link SequenceTracker.Outcome#DUPLICATE} was delivered before. */
    default void onBatch(Topics.Stream stream, Batch batch, SequenceTracker.Outcome outcome) {}

    /** A gala-ops JSON object with its topic's required fields. */
    default void onJson(Topics.Stream stream, ObjectNode json) {}
  }

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Topics topics;
  private final Handler handler;
  private final SequenceTracker sequences = new SequenceTracker();
  private final Map<Topics.Stream, AtomicLong> received = new EnumMap<>(Topics.Stream.class);
  private final Map<Topics.Stream, AtomicLong> corrupt = new EnumMap<>(Topics.Stream.class);
  private final java.util.concurrent.CountDownLatch stopped =
      new java.util.concurrent.CountDownLatch(1);
  private volatile boolean closed;
  private volatile Thread runner;

  /**
   * @param properties Kafka consumer settings (see {@link #properties}); deserializers are set here
   * @param streams which of the topics to read
   */
  public TransportConsumer(
      Properties properties, Topics topics, Collection<Topics.Stream> streams, Handler handler) {
    this.topics = topics;
    this.handler = handler;
    for (Topics.Stream s : Topics.Stream.values()) {
      received.put(s, new AtomicLong());
      corrupt.put(s, new AtomicLong());
    }
    Properties p = new Properties();
    p.putAll(properties);
    this.consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    List<String> names = new ArrayList<>();
    for (Topics.Stream s : streams) {
      names.add(topicOf(s));
    }
    consumer.subscribe(names);
  }

  /**
   * Consumer settings to start from: a group, reading from the earliest offset when the group is
   * new.
   */
  public static Properties properties(String bootstrapServers, String groupId) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "gala-" + groupId);
    return p;
  }

  private String topicOf(Topics.Stream s) {
    return switch (s) {
      case RECORDS -> topics.records();
      case METADATA -> topics.metadata();
      case EVENTS -> topics.events();
      case JSON_METRICS -> topics.jsonMetrics();
      case JSON_METADATA -> topics.jsonMetadata();
      case JSON_EVENTS -> topics.jsonEvents();
    };
  }

  /** Polls once and dispatches what arrived; returns the number of Kafka records handled. */
  public int poll(Duration timeout) {
    ConsumerRecords<byte[], byte[]> records = consumer.poll(timeout);
    for (ConsumerRecord<byte[], byte[]> r : records) {
      accept(r.topic(), r.value());
    }
    return records.count();
  }

  /** Polls until {@link #close()} is called from another thread, then closes the Kafka consumer. */
  public void run() {
    runner = Thread.currentThread();
    try {
      while (!closed) {
        poll(Duration.ofSeconds(1));
      }
    } catch (WakeupException e) {
      if (!closed) {
        throw e;
      }
    } finally {
      consumer.close();
      stopped.countDown();
    }
  }

  /** Decodes one record value of a topic and dispatches it (also for replaying recordings). */
  public void accept(String topic, byte[] value) {
    Topics.Stream stream = topics.streamOf(topic);
    if (stream == null) {
      return;
    }
    received.get(stream).incrementAndGet();
    try {
      if (stream.isProtobuf()) {
        Batch batch = BatchCodec.decode(value);
        checkBody(stream, batch);
        SequenceTracker.Outcome outcome;
        synchronized (sequences) {
          outcome =
              sequences.track(
                  stream, batch.getMachineId(), batch.getAgentStartMs(), batch.getSequence());
        }
        handler.onBatch(stream, batch, outcome);
      } else {
        handler.onJson(stream, GalaOpsJson.decode(stream, value));
      }
    } catch (CorruptBatchException e) {
      long n = corrupt.get(stream).incrementAndGet();
      if (n <= 10 || n % 1000 == 0) {
        LOG.log(
            Level.WARNING, "skipped corrupt record #" + n + " on " + topic + ": " + e.getMessage());
      }
    }
  }

  private static void checkBody(Topics.Stream stream, Batch batch) throws CorruptBatchException {
    Batch.BodyCase want =
        switch (stream) {
          case RECORDS -> Batch.BodyCase.RECORDS;
          case METADATA -> Batch.BodyCase.METADATA;
          default -> Batch.BodyCase.EVENTS;
        };
    if (batch.getBodyCase() != want) {
      throw new CorruptBatchException(
          "a " + batch.getBodyCase() + " batch on the " + stream + " topic");
    }
  }

  /** Records seen on a stream, valid or not. */
  public long received(Topics.Stream stream) {
    return received.get(stream).get();
  }

  /** Records skipped on a stream because they did not decode. */
  public long corrupt(Topics.Stream stream) {
    return corrupt.get(stream).get();
  }

  /** A snapshot of the sequence figures of every agent run. */
  public Map<SequenceTracker.Run, SequenceTracker.RunStats> sequences() {
    synchronized (sequences) {
      return sequences.runs();
    }
  }

  /** Batches missing (gaps) over all runs. */
  public long missing() {
    synchronized (sequences) {
      return sequences.missing();
    }
  }

  /** Batches received twice over all runs. */
  public long duplicates() {
    synchronized (sequences) {
      return sequences.duplicates();
    }
  }

  /** Stops {@link #run()} and waits for it (from another thread), or closes the Kafka consumer. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    Thread r = runner;
    if (r == null || r == Thread.currentThread()) {
      consumer.close();
      return;
    }
    consumer.wakeup();
    try {
      stopped.await(30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
