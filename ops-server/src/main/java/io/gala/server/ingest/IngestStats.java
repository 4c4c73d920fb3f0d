package io.gala.server.ingest;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Ingest's own counters, read by the metrics export and the health endpoint. */
public final class IngestStats {
  /**
   * Every reason a record or message is rejected for, so that each counter exists from the start.
   */
  public static final java.util.List<String> REJECT_REASONS =
      java.util.List.of(
          "bad_machine_id",
          "machine_id_mismatch",
          "bad_entity",
          "bad_timestamp",
          "too_many_fields",
          "bad_field",
          "bad_value",
          "bad_histogram",
          "too_many_agents",
          "undecodable");

  final LongAdder batches = new LongAdder();
  final LongAdder records = new LongAdder();
  final LongAdder gaps = new LongAdder();
  final LongAdder duplicates = new LongAdder();
  final LongAdder errors = new LongAdder();
  private final Map<String, LongAdder> rejected = new ConcurrentHashMap<>();
  volatile long lastLagMillis;

  void reject(String reason, long n) {
    rejected.computeIfAbsent(reason, r -> new LongAdder()).add(n);
  }

  /** Batches accepted (duplicates excluded). */
  public long batches() {
    return batches.sum();
  }

  /** Records accepted and handed to the listeners. */
  public long records() {
    return records.sum();
  }

  /** Batches an agent sent that never arrived, seen as holes in its sequence. */
  public long gaps() {
    return gaps.sum();
  }

  /** Batches dropped because they were already seen (Kafka redelivery, replay). */
  public long duplicates() {
    return duplicates.sum();
  }

  /** Failures of a listener while handling a valid batch. */
  public long errors() {
    return errors.sum();
  }

  /** Server time minus the newest record time of the last batch: how far behind ingest runs. */
  public long lastLagMillis() {
    return lastLagMillis;
  }

  /** Rejected records (or undecodable messages) by reason, sorted by reason. */
  public Map<String, Long> rejected() {
    Map<String, Long> out = new TreeMap<>();
    rejected.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  public long rejectedTotal() {
    return rejected.values().stream().mapToLong(LongAdder::sum).sum();
  }
}
