package io.gala.server.timeseries;

import io.gala.server.ingest.IngestListener;
import io.gala.server.ingest.IngestedBatch;
import io.gala.server.ingest.IngestedHistogram;
import io.gala.server.ingest.IngestedRecord;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The recent values of every metric of every entity, keyed by gala entity id and metric name,
 * bounded in time ({@code retention}), in resolution ({@code step}: one point per step) and in size
 * ({@code maxSeries}: new series beyond it are refused and counted). Histograms keep their {@code
 * <metric>_sum} and {@code <metric>_count}. Long-term history belongs in Prometheus.
 */
public final class TimeSeriesWindow implements IngestListener {
  private final long retentionMillis;
  private final long stepMillis;
  private final int pointsPerSeries;
  private final int maxSeries;
  private final Map<String, Map<String, Series>> entities = new ConcurrentHashMap<>();
  private final AtomicInteger seriesCount = new AtomicInteger();
  private final LongAdder refusedSeries = new LongAdder();
  private final LongAdder outOfOrder = new LongAdder();

  public TimeSeriesWindow(Duration retention, Duration step, int maxSeries) {
    if (step.toMillis() <= 0 || retention.compareTo(step) < 0) {
      throw new IllegalArgumentException(
          "time-series window: step " + step + " must be > 0 and <= retention " + retention);
    }
    this.retentionMillis = retention.toMillis();
    this.stepMillis = step.toMillis();
    this.pointsPerSeries = (int) Math.min(Integer.MAX_VALUE, retentionMillis / stepMillis + 1);
    this.maxSeries = maxSeries;
  }

  @Override
  public void ingest(IngestedBatch batch, long receivedAtMillis) {
    for (IngestedRecord r : batch.records()) {
      add(r);
    }
  }

  /** Adds the values and histogram sums and counts of one record; NaN (not measured) is skipped. */
  public void add(IngestedRecord r) {
    Map<String, Series> metrics = null;
    for (Map.Entry<String, Double> v : r.values().entrySet()) {
      if (!v.getValue().isNaN()) {
        metrics =
            metrics == null
                ? entities.computeIfAbsent(r.entityId(), k -> new ConcurrentHashMap<>())
                : metrics;
        put(metrics, v.getKey(), r.timestampMillis(), v.getValue());
      }
    }
    for (Map.Entry<String, IngestedHistogram> h : r.histograms().entrySet()) {
      metrics =
          metrics == null
              ? entities.computeIfAbsent(r.entityId(), k -> new ConcurrentHashMap<>())
              : metrics;
      put(metrics, h.getKey() + "_sum", r.timestampMillis(), h.getValue().sum());
      put(metrics, h.getKey() + "_count", r.timestampMillis(), h.getValue().count());
    }
  }

  private void put(Map<String, Series> metrics, String metric, long t, double v) {
    Series s = metrics.get(metric);
    if (s == null) {
      if (seriesCount.get() >= maxSeries) {
        refusedSeries.increment();
        return;
      }
      Series created = new Series(pointsPerSeries);
      s = metrics.putIfAbsent(metric, created);
      if (s == null) {
        s = created;
        seriesCount.incrementAndGet();
      }
    }
    if (!s.add(t, v, stepMillis)) {
      outOfOrder.increment();
    }
  }

  /** Metric names held for an entity, sorted; empty when the entity has no recent values. */
  public Set<String> metrics(String entityId) {
    Map<String, Series> m = entities.get(entityId);
    return m == null ? Set.of() : new TreeSet<>(m.keySet());
  }

  /**
   * Points of an entity's metrics within [from, to], by metric name in sorted order.
   *
   * @param metrics the metrics wanted; empty for all
   */
  public Map<String, List<Point>> range(String entityId, Set<String> metrics, long from, long to) {
    Map<String, Series> m = entities.getOrDefault(entityId, Map.of());
    Map<String, List<Point>> out = new LinkedHashMap<>();
    for (String name : new TreeSet<>(metrics.isEmpty() ? m.keySet() : metrics)) {
      Series s = m.get(name);
      if (s != null) {
        out.put(name, s.range(from, to));
      }
    }
    return out;
  }

  /** Drops series whose newest point is older than the retention; returns how many were dropped. */
  public int evict(long nowMillis) {
    long oldest = nowMillis - retentionMillis;
    int dropped = 0;
    for (var e : entities.entrySet()) {
      Map<String, Series> m = e.getValue();
      for (var it = m.entrySet().iterator(); it.hasNext(); ) {
        if (it.next().getValue().lastTime() < oldest) {
          it.remove();
          seriesCount.decrementAndGet();
          dropped++;
        }
      }
      if (m.isEmpty()) {
        entities.remove(e.getKey(), m);
      }
    }
    return dropped;
  }

  public int seriesCount() {
    return seriesCount.get();
  }

  public int entityCount() {
    return entities.size();
  }

  /** New series refused because {@code maxSeries} was reached. */
  public long refusedSeries() {
    return refusedSeries.sum();
  }

  /** Points dropped because they were older than their series' newest step. */
  public long outOfOrderPoints() {
    return outOfOrder.sum();
  }

  public long retentionMillis() {
    return retentionMillis;
  }
}
