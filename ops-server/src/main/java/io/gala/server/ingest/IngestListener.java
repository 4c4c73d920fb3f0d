package io.gala.server.ingest;

/**
 * Receives the valid records of each accepted batch, e.g. the time-series window and the topology.
 */
public interface IngestListener {
  /**
   * @param batch the batch with invalid records already removed
   * @param receivedAtMillis server clock when the batch arrived (agents' clocks may be skewed)
   */
  void ingest(IngestedBatch batch, long receivedAtMillis);
}
