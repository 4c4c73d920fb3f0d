package io.gala.agent.kafka;

import io.gala.transport.Topics;

/**
 * One Kafka record waiting in a {@link Spool}: topic, key (machine_id), value, the sample time as
 * the record timestamp, and what it carries (stream, batch sequence number or 0 for JSON, rows).
 */
record Outgoing(
    String topic,
    byte[] key,
    byte[] value,
    long timestampMillis,
    Topics.Stream stream,
    long sequence,
    int records) {
  /** Bytes it holds, with an allowance for the objects around it. */
  long size() {
    return key.length + value.length + 96L;
  }
}
