package io.gala.lab.series;

import io.gala.transport.RecordView;
import io.gala.transport.proto.Batch;
import io.gala.transport.proto.MetricKind;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every entity's metrics as time series, built from record batches in time order: gauges as they
 * are, counters as a rate per second between consecutive samples ({@code <metric>/s}; a decrease is
 * a restart and gives no point), histograms as the mean of the period's observations ({@code
 * <metric>.mean}, from the growth of sum and count). Entities are kept in id order, so that
 * everything built on them is deterministic.
 */
public final class SeriesSet {
  /** One entity and its series by metric name (sorted). */
  public record Entity(String id, EntityRef ref, Map<String, Series> metrics) {}

  private final Map<String, Entity> entities = new TreeMap<>();

  /** Builds the series of batches sorted by timestamp (as {@code Recording} gives them). */
  public static SeriesSet of(List<Batch> batches) {
    SeriesSet s = new SeriesSet();
    Map<String, double[]> last = new HashMap<>(); // series key -> {t, value} or {t, sum, count}
    for (Batch b : batches) {
      if (b.getBodyCase() != Batch.BodyCase.RECORDS) {
        continue;
      }
      long t = b.getTimestampMs();
      for (RecordView r : RecordView.of(b.getRecords())) {
        EntityRef ref = EntityRef.of(b.getMachineId(), r.entity(), r.keys(), r.labels());
        String id = ref.id();
        Entity e = s.entities.computeIfAbsent(id, k -> new Entity(k, ref, new TreeMap<>()));
        r.values()
            .forEach(
                (metric, v) -> {
                  if (r.kinds().get(metric) == MetricKind.METRIC_KIND_COUNTER) {
                    double[] prev = last.put(id + '\0' + metric, new double[] {t, v});
                    if (prev != null && t > prev[0] && v >= prev[1]) {
                      s.series(e, metric + "/s").add(t, (v - prev[1]) * 1000.0 / (t - prev[0]));
                    }
                  } else {
                    s.series(e, metric).add(t, v);
                  }
                });
        r.histograms()
            .forEach(
                (metric, h) -> {
                  double[] prev =
                      last.put(id + '\0' + metric, new double[] {t, h.sum(), h.count()});
                  if (prev != null && h.count() > prev[2] && h.sum() >= prev[1]) {
                    s.series(e, metric + ".mean")
                        .add(t, (h.sum() - prev[1]) / (h.count() - prev[2]));
                  }
                });
      }
    }
    return s;
  }

  /** An empty set to fill by hand (synthetic cases in tests). */
  public static SeriesSet empty() {
    return new SeriesSet();
  }

  /** Adds a point to an entity's metric (test helper and synthetic cases). */
  public void add(EntityRef ref, String metric, long t, double v) {
    Entity e = entities.computeIfAbsent(ref.id(), k -> new Entity(k, ref, new TreeMap<>()));
    series(e, metric).add(t, v);
  }

  private Series series(Entity e, String metric) {
    return e.metrics().computeIfAbsent(metric, m -> new Series());
  }

  public Collection<Entity> entities() {
    return entities.values();
  }

  public Entity entity(String id) {
    return entities.get(id);
  }

  public int seriesCount() {
    int n = 0;
    for (Entity e : entities.values()) {
      n += e.metrics().size();
    }
    return n;
  }

  /** Ids of the entities, in order. */
  public List<String> ids() {
    return new ArrayList<>(entities.keySet());
  }
}
