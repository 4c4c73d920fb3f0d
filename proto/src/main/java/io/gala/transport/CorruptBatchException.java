package io.gala.transport;

/**
 * A Kafka record value that is not a complete, valid gala batch: skipped and counted, never fatal.
 */
public final class CorruptBatchException extends Exception {
  public CorruptBatchException(String message) {
    super(message);
  }
}
