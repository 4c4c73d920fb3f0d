package io.gala.server.ingest;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One entity of one agent table at one sample, independent of the wire format: the agent's {@code
 * machine_id}, the table ({@code tcp_metric}) and its entity ({@code tcp_link}), the sample time,
 * key fields in the table's declared order (they form the entity id), label fields, metric values
 * and histograms. Counters are cumulative, as the agent exports them.
 */
public record IngestedRecord(
    String machineId,
    String table,
    String entity,
    long timestampMillis,
    Map<String, String> keys,
    Map<String, String> labels,
    Map<String, Double> values,
    Map<String, IngestedHistogram> histograms) {

  public IngestedRecord {
    keys = frozen(keys);
    labels = frozen(labels);
    values = frozen(values);
    histograms = frozen(histograms);
  }

  /** A record without histograms. */
  public static IngestedRecord of(
      String machineId,
      String table,
      String entity,
      long timestampMillis,
      Map<String, String> keys,
      Map<String, String> labels,
      Map<String, Double> values) {
    return new IngestedRecord(
        machineId, table, entity, timestampMillis, keys, labels, values, Map.of());
  }

  /** A key or, failing that, a label value; "" when neither is present. */
  public String field(String name) {
    String v = keys.get(name);
    if (v == null) {
      v = labels.get(name);
    }
    return v == null ? "" : v;
  }

  /**
   * gala-ops' entity id: {@code <machine_id>_<entity>_<key1>_..._<keyN>}, characters outside {@code
   * [A-Za-z0-9_-:.@()+,=;$!*'%]} replaced by {@code _}, at most 254 characters.
   */
  public String entityId() {
    return EntityIds.of(machineId, entity, keys.values());
  }

  private static <V> Map<String, V> frozen(Map<String, V> m) {
    // Key order matters (it makes the entity id), so copies keep insertion order.
    return m == null || m.isEmpty()
        ? Map.of()
        : Collections.unmodifiableMap(new LinkedHashMap<>(m));
  }
}
