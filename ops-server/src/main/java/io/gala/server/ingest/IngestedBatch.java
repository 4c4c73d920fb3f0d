package io.gala.server.ingest;

import java.util.List;

/**
 * Records of one agent sent together, with what ingest needs to see loss and replay: the agent's
 * start time (a restarted agent starts a new sequence) and the batch's sequence number within that
 * run ({@code -1} when the wire format has none: then gaps and duplicates are not tracked). A
 * sample too large for one message comes as parts {@code 1..parts} of the same sample time; the
 * topology treats a sample as complete only when all its parts arrived.
 */
public record IngestedBatch(
    String machineId,
    long agentStartMillis,
    long sequence,
    int part,
    int parts,
    List<IngestedRecord> records) {
  public IngestedBatch {
    records = List.copyOf(records);
    if (parts < 1 || part < 1 || part > parts) {
      throw new IllegalArgumentException(
          "batch part " + part + " of " + parts + " (want 1 <= part <= parts)");
    }
  }

  /** A whole sample in one batch. */
  public IngestedBatch(
      String machineId, long agentStartMillis, long sequence, List<IngestedRecord> records) {
    this(machineId, agentStartMillis, sequence, 1, 1, records);
  }

  /** The same batch with other records (after validation removed some). */
  public IngestedBatch withRecords(List<IngestedRecord> other) {
    return new IngestedBatch(machineId, agentStartMillis, sequence, part, parts, other);
  }

  /** The newest record time in the batch: the sample time; {@link Long#MIN_VALUE} when empty. */
  public long sampleMillis() {
    long t = Long.MIN_VALUE;
    for (IngestedRecord r : records) {
      t = Math.max(t, r.timestampMillis());
    }
    return t;
  }

  public static final long NO_SEQUENCE = -1;
}
