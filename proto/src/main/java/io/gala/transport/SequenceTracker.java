package io.gala.transport;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Checks the batch sequence numbers of every agent run (machine_id and agent start time) on every
 * stream: a number above the next expected one is a gap (the agent dropped batches, counted by how
 * many are missing), one at or below the last seen is a duplicate. Keeps at most {@code maxRuns}
 * runs, the least recently seen forgotten first. Not thread-safe: one consumer thread owns it.
 */
public final class SequenceTracker {
  /** What one batch's sequence number says. */
  public enum Outcome {
    /** The first batch seen of this run. */
    FIRST,
    /** The expected next number. */
    NEXT,
    /** Higher than expected: batches in between are missing. */
    GAP,
    /** Already seen (or lower than one seen): a re-delivery. */
    DUPLICATE
  }

  /** One agent run on one stream. */
  public record Run(Topics.Stream stream, String machineId, long agentStartMs) {}

  /**
   * What was seen of one run: first and highest sequence, batches received, missing, duplicated.
   */
  public record RunStats(long first, long last, long received, long missing, long duplicates) {}

  private static final class Mutable {
    long first;
    long last;
    long received;
    long missing;
    long duplicates;
  }

  private final int maxRuns;
  private final Map<Run, Mutable> runs;
  private long missing;
  private long duplicates;

  public SequenceTracker(int maxRuns) {
    this.maxRuns = maxRuns;
    this.runs =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<Run, Mutable> eldest) {
            return size() > SequenceTracker.this.maxRuns;
          }
        };
  }

  public SequenceTracker() {
    this(10_000);
  }

  public Outcome track(Topics.Stream stream, String machineId, long agentStartMs, long sequence) {
    Run run = new Run(stream, machineId, agentStartMs);
    Mutable m = runs.get(run);
    if (m == null) {
      m = new Mutable();
      m.first = sequence;
      m.last = sequence;
      m.received = 1;
      runs.put(run, m);
      return Outcome.FIRST;
    }
    if (sequence <= m.last) {
      m.duplicates++;
      duplicates++;
      return Outcome.DUPLICATE;
    }
    m.received++;
    long gap = sequence - m.last - 1;
    m.last = sequence;
    if (gap > 0) {
      m.missing += gap;
      missing += gap;
      return Outcome.GAP;
    }
    return Outcome.NEXT;
  }

  /** Batches missing over all runs. */
  public long missing() {
    return missing;
  }

  /** Batches received more than once over all runs. */
  public long duplicates() {
    return duplicates;
  }

  /** One run's figures, or null when never seen (or forgotten). */
  public RunStats run(Topics.Stream stream, String machineId, long agentStartMs) {
    Mutable m = runs.get(new Run(stream, machineId, agentStartMs));
    return m == null ? null : new RunStats(m.first, m.last, m.received, m.missing, m.duplicates);
  }

  /** A copy of every run's figures. */
  public Map<Run, RunStats> runs() {
    Map<Run, RunStats> out = new LinkedHashMap<>();
    runs.forEach(
        (k, m) -> out.put(k, new RunStats(m.first, m.last, m.received, m.missing, m.duplicates)));
    return out;
  }
}
