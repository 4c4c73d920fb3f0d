package io.gala.agent.kafka;

/**
 * A snapshot of the transport's counters, per spool (protobuf, gala-ops JSON), for the agent's own
 * metrics ({@code gala_gopher_agent_kafka_*}) and for tests.
 *
 * @param sendErrors errors the Kafka client reported: sends refused (record kept) and failed
 *     deliveries
 * @param encodeErrors samples or events that could not be encoded (a bug; logged)
 */
public record KafkaStats(SpoolStats protobuf, SpoolStats json, long sendErrors, long encodeErrors) {
  /**
   * One spool's figures.
   *
   * @param queueBatches Kafka records waiting or in flight
   * @param batchesDropped Kafka records dropped because the spool was full, or given up by the
   *     client
   * @param recordsDropped rows (or events, metadata tables) in them
   */
  public record SpoolStats(
      int queueBatches,
      long queueBytes,
      long capacityBytes,
      long batchesSent,
      long recordsSent,
      long bytesSent,
      long batchesDropped,
      long recordsDropped) {}
}
