package io.gala.agent.export;

import io.gala.agent.table.Histogram;
import io.gala.agent.table.MetricDef;
import io.gala.agent.table.MetricKind;
import io.gala.agent.table.Row;
import io.gala.agent.table.TableDef;
import java.util.List;
import java.util.Map;

/**
 * Renders rows as Prometheus text exposition format 0.0.4: {@code gala_gopher_<entity>_<metric>}
 * with a HELP line that states the unit, counters without a {@code _total} suffix (the reference's
 * names), standard histograms ({@code _bucket} with cumulative {@code le}, {@code _sum}, {@code
 * _count}), {@code machine_id} first on every series, then the table's keys and non-empty labels.
 */
final class PrometheusText {
  static final String PREFIX = "gala_gopher_";

  private PrometheusText() {}

  /** Appends every table; {@code timestampMillis} < 0 omits explicit timestamps. */
  static void render(
      StringBuilder out, Map<TableDef, List<Row>> tables, String machineId, long timestampMillis) {
    for (Map.Entry<TableDef, List<Row>> e : tables.entrySet()) {
      renderTable(out, e.getKey(), e.getValue(), machineId, timestampMillis);
    }
  }

  private static void renderTable(
      StringBuilder out, TableDef table, List<Row> rows, String machineId, long ts) {
    String[] labelSets = new String[rows.size()];
    for (int r = 0; r < rows.size(); r++) {
      labelSets[r] = labels(table, rows.get(r), machineId);
    }
    List<MetricDef> metrics = table.metrics();
    for (int m = 0; m < metrics.size(); m++) {
      MetricDef def = metrics.get(m);
      String name = PREFIX + table.entity() + "_" + def.name();
      boolean headerWritten = false;
      for (int r = 0; r < rows.size(); r++) {
        Row row = rows.get(r);
        if (def.kind() == MetricKind.HISTOGRAM
            ? row.histogram(m) == null
            : Double.isNaN(row.value(m))) {
          continue;
        }
        if (!headerWritten) {
          header(out, name, def);
          headerWritten = true;
        }
        if (def.kind() == MetricKind.HISTOGRAM) {
          histogram(out, name, labelSets[r], row.histogram(m), ts);
        } else {
          sample(out, name, labelSets[r], row.value(m), ts);
        }
      }
    }
  }

  private static void header(StringBuilder out, String name, MetricDef def) {
    out.append("# HELP ").append(name).append(' ').append(escapeHelp(def.help()));
    if (!def.unit().isEmpty()) {
      out.append(" (").append(escapeHelp(def.unit())).append(')');
    }
    out.append('\n');
    out.append("# TYPE ")
        .append(name)
        .append(' ')
        .append(def.kind().name().toLowerCase())
        .append('\n');
  }

  private static String labels(TableDef table, Row row, String machineId) {
    StringBuilder b = new StringBuilder();
    b.append("machine_id=\"").append(escapeLabel(machineId)).append('"');
    List<String> keys = table.keys();
    for (int i = 0; i < keys.size(); i++) {
      b.append(',')
          .append(keys.get(i))
          .append("=\"")
          .append(escapeLabel(row.keyValues().get(i)))
          .append('"');
    }
    List<String> labels = table.labels();
    for (int i = 0; i < labels.size(); i++) {
      String v = row.labelValues().get(i);
      if (!v.isEmpty()) {
        b.append(',').append(labels.get(i)).append("=\"").append(escapeLabel(v)).append('"');
      }
    }
    return b.toString();
  }

  private static void histogram(
      StringBuilder out, String name, String labels, Histogram h, long ts) {
    long cumulative = 0;
    double[] bounds = h.upperBounds();
    long[] counts = h.counts();
    boolean infSeen = false;
    for (int i = 0; i < bounds.length; i++) {
      cumulative += counts[i];
      infSeen |= Double.isInfinite(bounds[i]);
      sample(out, name + "_bucket", labels + ",le=\"" + formatLe(bounds[i]) + "\"", cumulative, ts);
    }
    if (!infSeen) {
      sample(out, name + "_bucket", labels + ",le=\"+Inf\"", h.count(), ts);
    }
    sample(out, name + "_sum", labels, h.sum(), ts);
    sample(out, name + "_count", labels, h.count(), ts);
  }

  private static void sample(StringBuilder out, String name, String labels, double value, long ts) {
    out.append(name).append('{').append(labels).append("} ").append(formatValue(value));
    if (ts >= 0) {
      out.append(' ').append(ts);
    }
    out.append('\n');
  }

  static String formatValue(double v) {
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return Double.toString(v);
  }

  private static String formatLe(double bound) {
    return Double.isInfinite(bound) ? "+Inf" : Double.toString(bound);
  }

  static String escapeLabel(String v) {
    if (v.indexOf('\\') < 0 && v.indexOf('"') < 0 && v.indexOf('\n') < 0) {
      return v;
    }
    return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  private static String escapeHelp(String v) {
    return v.replace("\\", "\\\\").replace("\n", "\\n");
  }
}
