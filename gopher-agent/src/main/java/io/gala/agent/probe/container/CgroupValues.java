package io.gala.agent.probe.container;

import io.gala.agent.table.Row;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One cgroup's figures by metric name while its files are read. The first reader to offer a metric
 * wins: v1 controllers are read before the unified hierarchy in hybrid mode, so the unified tree
 * only fills in what v1 lacks (PSI, or a controller enabled on the v2 side).
 */
final class CgroupValues {
  private final Map<String, Double> values = new LinkedHashMap<>();

  /** Sets a metric unless already set; a negative raw value means absent and is ignored. */
  void offer(String metric, long raw, double scale) {
    if (raw >= 0) {
      values.putIfAbsent(metric, raw * scale);
    }
  }

  void offer(String metric, double value) {
    if (value >= 0 && !Double.isNaN(value)) {
      values.putIfAbsent(metric, value);
    }
  }

  boolean isEmpty() {
    return values.isEmpty();
  }

  Double get(String metric) {
    return values.get(metric);
  }

  void into(Row.Builder row) {
    values.forEach(row::set);
  }
}
