package io.gala.agent.table;

import java.util.Arrays;
import java.util.List;

/**
 * The values of one entity of a table at one sample: key and label values as strings (in the
 * table's declared order), metric values as doubles (NaN = not measured this sample) and
 * histograms.
 */
public final class Row {
  private final TableDef table;
  private final String[] keys;
  private final String[] labels;
  private final double[] values;
  private final Histogram[] histograms;

  private Row(
      TableDef table, String[] keys, String[] labels, double[] values, Histogram[] histograms) {
    this.table = table;
    this.keys = keys;
    this.labels = labels;
    this.values = values;
    this.histograms = histograms;
  }

  public TableDef table() {
    return table;
  }

  public List<String> keyValues() {
    return Arrays.asList(keys);
  }

  public String key(String name) {
    return keys[table.keyIndex(name)];
  }

  public List<String> labelValues() {
    return Arrays.asList(labels);
  }

  public String label(String name) {
    return labels[table.labelIndex(name)];
  }

  /** Metric value by declaration index; NaN when not set. */
  public double value(int metric) {
    return values[metric];
  }

  public double value(String metric) {
    return values[table.metricIndex(metric)];
  }

  /** Histogram by declaration index; null when not set or not a histogram. */
  public Histogram histogram(int metric) {
    return histograms[metric];
  }

  public Histogram histogram(String metric) {
    return histograms[table.metricIndex(metric)];
  }

  /** Identity of the entity within its table: the key values joined. */
  public String identity() {
    return String.join("\u0000", keys);
  }

  @Override
  public String toString() {
    return table.name() + Arrays.toString(keys) + Arrays.toString(values);
  }

  /** Fills a row by field name; unset keys and labels are "", unset metrics NaN. */
  public static final class Builder {
    private final TableDef table;
    private final String[] keys;
    private final String[] labels;
    private final double[] values;
    private final Histogram[] histograms;

    Builder(TableDef table) {
      this.table = table;
      this.keys = new String[table.keys().size()];
      this.labels = new String[table.labels().size()];
      this.values = new double[table.metrics().size()];
      this.histograms = new Histogram[table.metrics().size()];
      Arrays.fill(keys, "");
      Arrays.fill(labels, "");
      Arrays.fill(values, Double.NaN);
    }

    public Builder key(String name, Object value) {
      keys[table.keyIndex(name)] = String.valueOf(value);
      return this;
    }

    public Builder label(String name, Object value) {
      labels[table.labelIndex(name)] = value == null ? "" : String.valueOf(value);
      return this;
    }

    public Builder set(String metric, double value) {
      int i = table.metricIndex(metric);
      if (table.metrics().get(i).kind() == MetricKind.HISTOGRAM) {
        throw new IllegalArgumentException(table.name() + "." + metric + " is a histogram");
      }
      values[i] = value;
      return this;
    }

    public Builder histogram(String metric, Histogram h) {
      int i = table.metricIndex(metric);
      if (table.metrics().get(i).kind() != MetricKind.HISTOGRAM) {
        throw new IllegalArgumentException(table.name() + "." + metric + " is not a histogram");
      }
      histograms[i] = h;
      return this;
    }

    public Row build() {
      return new Row(table, keys.clone(), labels.clone(), values.clone(), histograms.clone());
    }
  }
}
