package io.gala.agent.table;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A metric table as gala-ops defines one (gala-compat.md): the entity it describes, key fields that
 * identify one entity, label fields that describe it, and its metrics. Declared once per probe as
 * data; the exporter, the Kafka transport and the docs all read it from here.
 *
 * <pre>{@code
 * static final TableDef TCP_LINK = TableDef.builder("tcp_link")
 *     .keys("tgid", "role", "client_ip", "server_ip", "client_port", "server_port", "protocol")
 *     .labels("comm")
 *     .gauge("srtt", "us", "Smoothed round-trip time")
 *     .counter("rx_bytes", "bytes", "Bytes received")
 *     .build();
 * }</pre>
 */
public final class TableDef {
  private final String name;
  private final String entity;
  private final List<String> keys;
  private final List<String> labels;
  private final List<MetricDef> metrics;
  private final Map<String, Integer> keyIndex = new HashMap<>();
  private final Map<String, Integer> labelIndex = new HashMap<>();
  private final Map<String, Integer> metricIndex = new HashMap<>();

  private TableDef(Builder b) {
    this.name = b.name;
    this.entity = b.entity == null ? b.name : b.entity;
    this.keys = List.copyOf(b.keys);
    this.labels = List.copyOf(b.labels);
    this.metrics = List.copyOf(b.metrics);
    index(keys, keyIndex);
    index(labels, labelIndex);
    for (int i = 0; i < metrics.size(); i++) {
      if (metricIndex.put(metrics.get(i).name(), i) != null) {
        throw new IllegalArgumentException(
            "table " + name + " declares metric " + metrics.get(i).name() + " twice");
      }
    }
  }

  private void index(List<String> fields, Map<String, Integer> into) {
    for (int i = 0; i < fields.size(); i++) {
      if (into.put(fields.get(i), i) != null) {
        throw new IllegalArgumentException(
            "table " + name + " declares field " + fields.get(i) + " twice");
      }
    }
  }

  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** Table (meta) name, e.g. {@code tcp_link}. */
  public String name() {
    return name;
  }

  /**
   * Entity name used in metric names {@code gala_gopher_<entity>_<metric>}; usually the table name.
   */
  public String entity() {
    return entity;
  }

  public List<String> keys() {
    return keys;
  }

  public List<String> labels() {
    return labels;
  }

  public List<MetricDef> metrics() {
    return metrics;
  }

  int keyIndex(String key) {
    return find(keyIndex, key, "key");
  }

  int labelIndex(String label) {
    return find(labelIndex, label, "label");
  }

  int metricIndex(String metric) {
    return find(metricIndex, metric, "metric");
  }

  private int find(Map<String, Integer> index, String field, String what) {
    Integer i = index.get(field);
    if (i == null) {
      throw new IllegalArgumentException("table " + name + " has no " + what + " " + field);
    }
    return i;
  }

  /** A row builder for one entity of this table. */
  public Row.Builder row() {
    return new Row.Builder(this);
  }

  @Override
  public String toString() {
    return "TableDef[" + name + "]";
  }

  /** Collects a table's fields in declaration order. */
  public static final class Builder {
    private final String name;
    private String entity;
    private final List<String> keys = new ArrayList<>();
    private final List<String> labels = new ArrayList<>();
    private final List<MetricDef> metrics = new ArrayList<>();

    private Builder(String name) {
      this.name = name;
    }

    public Builder entity(String entity) {
      this.entity = entity;
      return this;
    }

    public Builder keys(String... names) {
      keys.addAll(List.of(names));
      return this;
    }

    public Builder labels(String... names) {
      labels.addAll(List.of(names));
      return this;
    }

    public Builder gauge(String metric, String unit, String help) {
      metrics.add(new MetricDef(metric, MetricKind.GAUGE, unit, help));
      return this;
    }

    public Builder counter(String metric, String unit, String help) {
      metrics.add(new MetricDef(metric, MetricKind.COUNTER, unit, help));
      return this;
    }

    public Builder histogram(String metric, String unit, String help) {
      metrics.add(new MetricDef(metric, MetricKind.HISTOGRAM, unit, help));
      return this;
    }

    public TableDef build() {
      return new TableDef(this);
    }
  }
}
