package io.gala.server.ingest;

import java.util.List;

/**
 * Records of one agent sent together, with what ingest needs to see loss and replay: the agent's start
 * time (a restarted agent starts a new sequence) and the batch's sequence number within that run
 * ({@code -1} when the wire format has none: then gaps and duplicates are not tracked).
 */
public record IngestedBatch(String machineId, long agentStartMillis, long sequence, List<IngestedRecord> records) {
  public IngestedBatch {
    records = List.copyOf(records);
  }

  public static final long NO_SEQUENCE = -1;
}
