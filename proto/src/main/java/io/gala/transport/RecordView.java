package io.gala.transport;

import io.gala.transport.proto.Column;
import io.gala.transport.proto.MetricKind;
import io.gala.transport.proto.Records;
import io.gala.transport.proto.Row;
import io.gala.transport.proto.TableRows;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One decoded row with its values by name, for consumers that do not want positional protobuf: keys
 * and labels by field name (in declaration order), gauge and counter values by metric name (unset =
 * absent), histograms with their bounds resolved from the column when the row sends none.
 */
public record RecordView(
    String table,
    String entity,
    Map<String, String> keys,
    Map<String, String> labels,
    Map<String, Double> values,
    Map<String, Hist> histograms,
    Map<String, MetricKind> kinds) {

  /** A histogram: bucket upper bounds, non-cumulative counts, sum and count. */
  public record Hist(List<Double> upperBounds, List<Long> counts, double sum, long count) {}

  /** Every row of a records batch, table by table. */
  public static List<RecordView> of(Records records) {
    List<RecordView> out = new ArrayList<>();
    for (TableRows t : records.getTablesList()) {
      String entity = t.getEntity().isEmpty() ? t.getTable() : t.getEntity();
      Map<String, MetricKind> kinds = new LinkedHashMap<>();
      for (Column c : t.getMetricsList()) {
        kinds.put(c.getName(), c.getKind());
      }
      kinds = Collections.unmodifiableMap(kinds);
      for (Row r : t.getRowsList()) {
        out.add(view(t, entity, kinds, r));
      }
    }
    return out;
  }

  private static RecordView view(TableRows t, String entity, Map<String, MetricKind> kinds, Row r) {
    Map<String, String> keys = zip(t.getKeyNamesList(), r.getKeysList());
    Map<String, String> labels = zip(t.getLabelNamesList(), r.getLabelsList());
    Map<String, Double> values = new LinkedHashMap<>();
    Map<String, Hist> hists = new LinkedHashMap<>();
    int v = 0;
    int h = 0;
    for (Column c : t.getMetricsList()) {
      if (c.getKind() == MetricKind.METRIC_KIND_HISTOGRAM) {
        if (h < r.getHistogramsCount()) {
          io.gala.transport.proto.Histogram ph = r.getHistograms(h);
          if (ph.getCountsCount() > 0) {
            List<Double> bounds =
                ph.getUpperBoundsCount() > 0 ? ph.getUpperBoundsList() : c.getUpperBoundsList();
            hists.put(
                c.getName(),
                new Hist(
                    List.copyOf(bounds),
                    List.copyOf(ph.getCountsList()),
                    ph.getSum(),
                    ph.getCount()));
          }
        }
        h++;
      } else {
        if (v < r.getValuesCount() && !Double.isNaN(r.getValues(v))) {
          values.put(c.getName(), r.getValues(v));
        }
        v++;
      }
    }
    return new RecordView(
        t.getTable(),
        entity,
        keys,
        labels,
        Collections.unmodifiableMap(values),
        Collections.unmodifiableMap(hists),
        kinds);
  }

  private static Map<String, String> zip(List<String> names, List<String> values) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < names.size(); i++) {
      m.put(names.get(i), i < values.size() ? values.get(i) : "");
    }
    return Collections.unmodifiableMap(m);
  }
}
