package io.gala.server.ingest;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.LoggerFactory;

/**
 * The one {@link IngestSink}: validates records, drops duplicate batches, counts gaps, rejections
 * and lag, then hands the valid records to the listeners (time-series window, topology). Plain
 * Java, so that tests drive it without a broker.
 */
public final class Ingestor implements IngestSink {
  private static final RateLimitedLog LOG =
      new RateLimitedLog(LoggerFactory.getLogger(Ingestor.class), 60_000);

  /**
   * Bounds the per-agent state, so that garbage with ever new machine_ids cannot exhaust memory.
   */
  static final int MAX_AGENTS = 100_000;

  private final List<IngestListener> listeners;
  private final LongSupplier clock;
  private final IngestStats stats = new IngestStats();
  private final Map<String, AgentRun> agents = new ConcurrentHashMap<>();

  public Ingestor(List<IngestListener> listeners, LongSupplier clock) {
    this.listeners = List.copyOf(listeners);
    this.clock = clock;
  }

  @Override
  public void accept(IngestedBatch batch) {
    long now = clock.getAsLong();
    if (!RecordValidator.validMachineId(batch.machineId())) {
      reject(
          "bad_machine_id",
          Math.max(1, batch.records().size()),
          "batch with invalid machine_id '" + abbreviate(batch.machineId()) + "' dropped");
      return;
    }
    AgentRun run = agents.get(batch.machineId());
    if (run == null) {
      if (agents.size() >= MAX_AGENTS) {
        reject(
            "too_many_agents",
            Math.max(1, batch.records().size()),
            "batch of a new agent "
                + abbreviate(batch.machineId())
                + " dropped: already "
                + MAX_AGENTS
                + " agents known");
        return;
      }
      run = agents.computeIfAbsent(batch.machineId(), AgentRun::new);
    }
    List<IngestedRecord> valid = new ArrayList<>(batch.records().size());
    long newest = Long.MIN_VALUE;
    synchronized (run) {
      long[] missed = {0};
      switch (run.advance(batch.agentStartMillis(), batch.sequence(), missed)) {
        case DUPLICATE, STALE_RUN -> {
          stats.duplicates.increment();
          return;
        }
        case GAP -> {
          stats.gaps.add(missed[0]);
          LOG.warn(
              "gap:" + batch.machineId(),
              "agent "
                  + batch.machineId()
                  + ": "
                  + missed[0]
                  + " batch(es) missing before sequence "
                  + batch.sequence()
                  + " (agent or broker dropped them; counted in gala_server_ingest_gaps_total)");
        }
        default -> {}
      }
      for (IngestedRecord r : batch.records()) {
        String problem = RecordValidator.problem(r, batch.machineId(), now);
        if (problem != null) {
          reject(
              problem,
              1,
              "agent "
                  + batch.machineId()
                  + ": record of table '"
                  + abbreviate(r.table())
                  + "' rejected: "
                  + problem);
          continue;
        }
        valid.add(r);
        newest = Math.max(newest, r.timestampMillis());
      }
      run.batches++;
      run.records += valid.size();
      run.lastReceivedMillis = now;
      if (newest != Long.MIN_VALUE) {
        run.lastRecordMillis = Math.max(run.lastRecordMillis, newest);
        stats.lastLagMillis = now - newest;
      }
      stats.batches.increment();
      stats.records.add(valid.size());
      IngestedBatch clean =
          valid.size() == batch.records().size() ? batch : batch.withRecords(valid);
      for (IngestListener l : listeners) {
        try {
          l.ingest(clean, now);
        } catch (RuntimeException e) {
          stats.errors.increment();
          LOG.warn(
              "listener:" + l.getClass().getSimpleName(),
              l.getClass().getSimpleName()
                  + " failed on a batch of "
                  + batch.machineId()
                  + ": "
                  + e);
        }
      }
    }
  }

  @Override
  public void undecodable(String source, String reason) {
    reject("undecodable", 1, "message from " + source + " skipped: " + reason);
  }

  private void reject(String reason, long n, String message) {
    stats.reject(reason, n);
    LOG.warn("reject:" + reason, message + " (counted in gala_server_ingest_rejected_total)");
  }

  public IngestStats stats() {
    return stats;
  }

  /** Every agent heard from since the server started, by machine_id. */
  public List<AgentStatus> agents() {
    List<AgentStatus> out = new ArrayList<>();
    for (AgentRun run : agents.values()) {
      synchronized (run) {
        out.add(
            new AgentStatus(
                run.machineId,
                run.startMillis == Long.MIN_VALUE ? 0 : run.startMillis,
                run.lastReceivedMillis,
                run.lastRecordMillis,
                run.batches,
                run.records));
      }
    }
    out.sort(Comparator.comparing(AgentStatus::machineId));
    return out;
  }

  private static String abbreviate(String s) {
    if (s == null) {
      return "null";
    }
    // Garbage may hold newlines or escapes: never let it forge log lines.
    String clean = s.replaceAll("[\\p{Cntrl}]", "?");
    return clean.length() <= 80 ? clean : clean.substring(0, 80) + "...";
  }
}
