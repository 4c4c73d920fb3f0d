package io.gala.server.ingest;

import io.gala.transport.SequenceTracker;
import io.gala.transport.Topics;
import io.gala.transport.TransportConsumer;
import io.gala.transport.proto.Batch;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka side of ingest: {@code consumers} threads in one consumer group read the agents' record
 * batches (the transport's protobuf topic) and hand each decoded batch to the {@link IngestSink}.
 * Values that do not decode are skipped and counted by the transport consumer ({@link #corrupt()});
 * batches that decode but make no sense are counted by the sink as undecodable. Offsets are
 * committed automatically: after a crash some batches come again and the sink drops them as
 * duplicates.
 */
public final class KafkaIngest implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaIngest.class);

  private final IngestProperties.Kafka config;
  private final IngestSink sink;
  private final List<TransportConsumer> consumers = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();

  public KafkaIngest(IngestProperties.Kafka config, IngestSink sink) {
    this.config = config;
    this.sink = sink;
  }

  public synchronized void start() {
    if (!threads.isEmpty()) {
      return;
    }
    Topics d = Topics.DEFAULT;
    Topics topics =
        new Topics(
            config.recordsTopic(),
            d.metadata(),
            d.events(),
            d.jsonMetrics(),
            d.jsonMetadata(),
            d.jsonEvents());
    for (int i = 0; i < config.consumers(); i++) {
      Properties p = TransportConsumer.properties(config.bootstrapServers(), config.groupId());
      // The records topic appears when the first agent sends: find its partitions within seconds,
      // not after the client's default metadata age of 5 minutes.
      p.put("metadata.max.age.ms", "5000");
      p.putAll(config.properties());
      TransportConsumer c =
          new TransportConsumer(p, topics, List.of(Topics.Stream.RECORDS), new Handler());
      consumers.add(c);
      Thread t = new Thread(() -> run(c), "kafka-ingest-" + i);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    LOG.info(
        "consuming {} from {} as group {} with {} consumer(s)",
        config.recordsTopic(),
        config.bootstrapServers(),
        config.groupId(),
        config.consumers());
  }

  private static void run(TransportConsumer c) {
    try {
      c.run();
    } catch (RuntimeException e) {
      LOG.error(
          "Kafka consumer stopped: {}; ingest from Kafka is down until the server restarts",
          e.toString(),
          e);
    }
  }

  private final class Handler implements TransportConsumer.Handler {
    @Override
    public void onBatch(Topics.Stream stream, Batch batch, SequenceTracker.Outcome outcome) {
      IngestedBatch b;
      try {
        b = TransportBatches.toIngested(batch);
      } catch (IllegalArgumentException e) {
        sink.undecodable(config.recordsTopic(), e.getMessage());
        return;
      }
      sink.accept(b);
    }
  }

  /** Record values on the topic that did not decode as a gala batch, skipped. */
  public long corrupt() {
    long n = 0;
    for (TransportConsumer c : consumers) {
      n += c.corrupt(Topics.Stream.RECORDS);
    }
    return n;
  }

  @Override
  public synchronized void close() {
    consumers.forEach(TransportConsumer::close);
    consumers.clear();
    threads.clear();
  }
}
