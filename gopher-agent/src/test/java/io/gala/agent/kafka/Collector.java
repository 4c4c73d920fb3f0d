package io.gala.agent.kafka;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gala.transport.SequenceTracker;
import io.gala.transport.Topics;
import io.gala.transport.TransportConsumer;
import io.gala.transport.proto.Batch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Collects what a {@link TransportConsumer} decodes, for assertions; polls on the test thread. */
final class Collector implements TransportConsumer.Handler, AutoCloseable {
  final List<Batch> records = new ArrayList<>();
  final List<Batch> metadata = new ArrayList<>();
  final List<Batch> events = new ArrayList<>();
  final List<ObjectNode> json = new ArrayList<>();
  final List<SequenceTracker.Outcome> outcomes = new ArrayList<>();
  final List<Long> receivedNanos = new ArrayList<>();
  final TransportConsumer consumer;

  Collector(String bootstrap, Topics topics, String group, List<Topics.Stream> streams) {
    consumer =
        new TransportConsumer(
            TransportConsumer.properties(bootstrap, group), topics, streams, this);
  }

  @Override
  public void onBatch(Topics.Stream stream, Batch batch, SequenceTracker.Outcome outcome) {
    outcomes.add(outcome);
    switch (stream) {
      case RECORDS -> {
        records.add(batch);
        receivedNanos.add(System.nanoTime());
      }
      case METADATA -> metadata.add(batch);
      default -> events.add(batch);
    }
  }

  @Override
  public void onJson(Topics.Stream stream, ObjectNode o) {
    json.add(o);
  }

  /** Polls until the condition holds or the timeout passes; returns whether it holds. */
  boolean pollUntil(BooleanSupplier done, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.getAsBoolean() && System.nanoTime() < deadline) {
      consumer.poll(Duration.ofMillis(200));
    }
    return done.getAsBoolean();
  }

  @Override
  public void close() {
    consumer.close();
  }
}
