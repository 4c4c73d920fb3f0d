package io.gala.server.ingest;

/**
 * Where a transport adapter hands what it decoded. Implementations are thread-safe: several
 * consumer threads may call them at once (records of one agent always come from one thread, as one
 * agent's records stay in one partition).
 */
public interface IngestSink {
  /** A decoded batch; invalid records inside it are rejected one by one, the others kept. */
  void accept(IngestedBatch batch);

  /**
   * A message that could not be decoded at all, e.g. corrupt bytes: counted and logged
   * (rate-limited).
   */
  void undecodable(String source, String reason);
}
