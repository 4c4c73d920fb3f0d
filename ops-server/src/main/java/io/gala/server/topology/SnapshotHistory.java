package io.gala.server.topology;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Snapshots over time, kept for {@code history} and answered by time: the snapshot in force at t is
 * the newest taken at or before t. Stored as segments (a full snapshot every {@code
 * checkpointEvery} snapshots, deltas in between), in memory and, when a directory is given, in a
 * {@link SnapshotLog}, so that a restarted server still serves the past. Thread-safe.
 */
public final class SnapshotHistory implements Closeable {
  private static final int CACHED = 4;

  private static final class Segment {
    final Path file;
    final Snapshot base;
    final List<SnapshotDelta> deltas = new ArrayList<>();

    Segment(Path file, Snapshot base) {
      this.file = file;
      this.base = base;
    }

    long time(int i) {
      return i == 0 ? base.timestampMillis() : deltas.get(i - 1).toMillis();
    }

    int size() {
      return deltas.size() + 1;
    }
  }

  private final SnapshotLog log;
  private final long historyMillis;
  private final int checkpointEvery;
  private final List<Segment> segments = new ArrayList<>();
  private final Map<Long, Snapshot> cache =
      new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Snapshot> e) {
          return size() > CACHED;
        }
      };
  private Snapshot latest;
  private boolean segmentOpen;

  private SnapshotHistory(SnapshotLog log, Duration history, int checkpointEvery) {
    if (checkpointEvery < 1) {
      throw new IllegalArgumentException("checkpointEvery must be >= 1, was " + checkpointEvery);
    }
    this.log = log;
    this.historyMillis = history.toMillis();
    this.checkpointEvery = checkpointEvery;
  }

  /** A history kept only in memory (lost on restart). */
  public static SnapshotHistory inMemory(Duration history, int checkpointEvery) {
    return new SnapshotHistory(null, history, checkpointEvery);
  }

  /**
   * A history persisted under {@code dir}; what is there already is loaded (corrupt tails cut off).
   */
  public static SnapshotHistory open(Path dir, Duration history, int checkpointEvery)
      throws IOException {
    SnapshotHistory h = new SnapshotHistory(new SnapshotLog(dir), history, checkpointEvery);
    for (SnapshotLog.Segment s : h.log.load()) {
      Segment seg = new Segment(s.file(), s.base());
      seg.deltas.addAll(s.deltas());
      h.segments.add(seg);
    }
    if (!h.segments.isEmpty()) {
      Segment last = h.segments.get(h.segments.size() - 1);
      h.latest = h.materialize(last, last.size() - 1);
    }
    return h;
  }

  /** Adds the next snapshot (timestamps must increase) and persists it. */
  public synchronized void append(Snapshot s) {
    if (latest != null && s.timestampMillis() <= latest.timestampMillis()) {
      throw new IllegalArgumentException(
          "snapshot at "
              + s.timestampMillis()
              + " is not after the latest at "
              + latest.timestampMillis());
    }
    try {
      Segment cur = segments.isEmpty() ? null : segments.get(segments.size() - 1);
      if (cur == null || !segmentOpen || cur.size() >= checkpointEvery) {
        Path file = log == null ? null : log.startSegment(s);
        segments.add(new Segment(file, s));
        segmentOpen = true;
      } else {
        SnapshotDelta d = SnapshotDelta.between(latest, s);
        if (log != null) {
          log.append(d);
        }
        cur.deltas.add(d);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "persisting the topology snapshot at " + s.timestampMillis() + " failed", e);
    }
    latest = s;
  }

  /**
   * The snapshot in force at t: the newest at or before t; empty when t is before the oldest kept.
   */
  public synchronized Optional<Snapshot> at(long t) {
    if (latest == null || t < segments.get(0).base.timestampMillis()) {
      return Optional.empty();
    }
    if (t >= latest.timestampMillis()) {
      return Optional.of(latest);
    }
    int si = segments.size() - 1;
    while (segments.get(si).base.timestampMillis() > t) {
      si--;
    }
    Segment seg = segments.get(si);
    int lo = 0;
    int hi = seg.size() - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (seg.time(mid) <= t) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    long ts = seg.time(lo);
    Snapshot cached = cache.get(ts);
    if (cached == null) {
      cached = materialize(seg, lo);
      cache.put(ts, cached);
    }
    return Optional.of(cached);
  }

  public synchronized Optional<Snapshot> latest() {
    return Optional.ofNullable(latest);
  }

  /** Times of all snapshots kept, oldest first. */
  public synchronized List<Long> timestamps() {
    List<Long> out = new ArrayList<>();
    for (Segment s : segments) {
      for (int i = 0; i < s.size(); i++) {
        out.add(s.time(i));
      }
    }
    return out;
  }

  public synchronized int size() {
    return segments.stream().mapToInt(Segment::size).sum();
  }

  /**
   * Forgets segments that lie wholly before {@code now - history}: those whose successor starts at
   * or before that cutoff. Returns how many snapshots were dropped.
   */
  public synchronized int prune(long nowMillis) {
    long cutoff = nowMillis - historyMillis;
    int dropped = 0;
    while (segments.size() > 1 && segments.get(1).base.timestampMillis() <= cutoff) {
      Segment s = segments.remove(0);
      dropped += s.size();
      if (s.file != null) {
        try {
          log.delete(s.file);
        } catch (IOException e) {
          throw new UncheckedIOException("deleting expired snapshot file " + s.file + " failed", e);
        }
      }
    }
    if (dropped > 0) {
      cache.clear();
    }
    return dropped;
  }

  /** Records cut off or files set aside when the persisted history was loaded. */
  public long corruptRecords() {
    return log == null ? 0 : log.corruptRecords();
  }

  public long bytesOnDisk() {
    try {
      return log == null ? 0 : log.bytesOnDisk();
    } catch (IOException e) {
      return -1;
    }
  }

  private Snapshot materialize(Segment seg, int index) {
    if (index == 0) {
      return seg.base;
    }
    Map<String, Node> nodes = new HashMap<>(seg.base.nodes());
    Map<String, Edge> edges = new HashMap<>(seg.base.edges());
    for (int i = 0; i < index; i++) {
      seg.deltas.get(i).applyIn(nodes, edges);
    }
    return new Snapshot(seg.time(index), nodes, edges);
  }

  @Override
  public synchronized void close() throws IOException {
    if (log != null) {
      log.close();
    }
  }
}
