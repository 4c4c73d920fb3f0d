package io.gala.server.ingest;

/**
 * What ingest knows of one agent: its current run (start time), the last batch sequence seen in it
 * and when it was last heard from. Mutated only under the instance's lock.
 */
final class AgentRun {
  final String machineId;
  long startMillis = Long.MIN_VALUE;
  long lastSequence = IngestedBatch.NO_SEQUENCE;
  long lastReceivedMillis;
  long lastRecordMillis;
  long batches;
  long records;

  AgentRun(String machineId) {
    this.machineId = machineId;
  }

  /** What a batch is with respect to the sequence of this agent. */
  enum Order {
    NEXT,
    GAP,
    DUPLICATE,
    STALE_RUN,
    UNTRACKED
  }

  /**
   * Classifies the batch and advances the sequence when it is new. {@code missed[0]} receives the
   * number of batches skipped by a gap.
   */
  Order advance(long agentStart, long sequence, long[] missed) {
    if (sequence == IngestedBatch.NO_SEQUENCE) {
      return Order.UNTRACKED;
    }
    if (agentStart < startMillis) {
      return Order.STALE_RUN;
    }
    if (agentStart > startMillis) {
      // A new run (agent restarted): its sequence starts afresh, whatever number it starts at.
      startMillis = agentStart;
      lastSequence = sequence;
      return Order.NEXT;
    }
    if (sequence <= lastSequence) {
      return Order.DUPLICATE;
    }
    missed[0] = sequence - lastSequence - 1;
    lastSequence = sequence;
    return missed[0] == 0 ? Order.NEXT : Order.GAP;
  }
}
