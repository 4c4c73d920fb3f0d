package io.gala.server.topology;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a snapshot of the builder every period, appends it to the history, prunes what is older
 * than the history and tells the listeners. One thread; a failed snapshot is logged and counted,
 * and the next one is taken on time.
 */
public final class SnapshotTaker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotTaker.class);

  private final TopologyBuilder builder;
  private final SnapshotHistory history;
  private final List<SnapshotListener> listeners;
  private final LongSupplier clock;
  private final AtomicLong failures = new AtomicLong();
  private volatile long lastBuildNanos;
  private ScheduledExecutorService executor;

  public SnapshotTaker(
      TopologyBuilder builder,
      SnapshotHistory history,
      List<SnapshotListener> listeners,
      LongSupplier clock) {
    this.builder = builder;
    this.history = history;
    this.listeners = List.copyOf(listeners);
    this.clock = clock;
    history.latest().ifPresent(builder::continueFrom);
  }

  /** Takes one snapshot now (the scheduler calls this; tests may too). */
  public synchronized Snapshot takeSnapshot() {
    long now = clock.getAsLong();
    long latest = history.latest().map(Snapshot::timestampMillis).orElse(Long.MIN_VALUE);
    long t = Math.max(now, latest + 1);
    long start = System.nanoTime();
    Snapshot s = builder.snapshot(t);
    long nanos = System.nanoTime() - start;
    lastBuildNanos = nanos;
    history.append(s);
    history.prune(t);
    for (SnapshotListener l : listeners) {
      l.taken(s, nanos);
    }
    return s;
  }

  public synchronized void start(long initialDelayMillis, long periodMillis) {
    if (executor != null) {
      return;
    }
    executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread th = new Thread(r, "topology-snapshot");
              th.setDaemon(true);
              return th;
            });
    executor.scheduleAtFixedRate(
        this::safeSnapshot, initialDelayMillis, periodMillis, TimeUnit.MILLISECONDS);
  }

  private void safeSnapshot() {
    try {
      takeSnapshot();
    } catch (RuntimeException e) {
      failures.incrementAndGet();
      LOG.error(
          "topology snapshot failed; the next one is taken on schedule (counted in "
              + "gala_server_topology_snapshot_failures_total)",
          e);
    }
  }

  /** Snapshots that failed (build or persistence) since start. */
  public long failures() {
    return failures.get();
  }

  public long lastBuildNanos() {
    return lastBuildNanos;
  }

  @Override
  public synchronized void close() {
    if (executor != null) {
      executor.shutdownNow();
      try {
        executor.awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      executor = null;
    }
  }
}
