package io.gala.agent.kafka;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.gala.agent.event.SubHealthEvent;
import io.gala.agent.export.Sample;
import io.gala.agent.table.Histogram;
import io.gala.agent.table.MetricDef;
import io.gala.agent.table.MetricKind;
import io.gala.agent.table.Row;
import io.gala.agent.table.TableDef;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * gala-ops JSON, one object per Kafka record, in the shapes gala-gopher writes (gala-compat.md):
 * metric records as flat objects with every value a string ({@code imdb.c IMDB_Record2Json}), table
 * metadata ({@code meta.c metadata_to_json}) and abnormal events ({@code event2json.c
 * EventData2Json}). Old consumers expect per-period values: counters and histogram counts are sent
 * as the increase since the entity's previous sample (the whole value the first time an entity is
 * seen). A histogram is gala-gopher's serialized string {@code "<n> <le1> <cum1> ... <leN> <cumN>
 * <sum> <max>"} ({@code histogram.c serialize_histo}): integer bounds, seconds as microseconds,
 * +Inf as 2^64-1, max as the bound of the highest non-empty bucket. Runs on the sampler thread.
 */
final class GalaOpsEncoder {
  static final String METADATA_VERSION = "1.0.0";
  private static final String U64_MAX = "18446744073709551615";

  private final JsonFactory factory = new JsonFactory();
  private final ZoneId zone;
  private final long forgetMillis;
  private final Map<String, Previous> previous = new HashMap<>();

  private record Previous(double[] values, Histogram[] histograms, long seenMillis) {}

  GalaOpsEncoder(ZoneId zone, long forgetMillis) {
    this.zone = zone;
    this.forgetMillis = forgetMillis;
  }

  /** One JSON object per row, counters as per-period increases. */
  List<byte[]> metrics(Sample sample) {
    String machineId = sample.identity().machineId();
    long now = sample.timestampMillis();
    List<byte[]> out = new ArrayList<>(sample.rows().size());
    for (Row row : sample.rows()) {
      TableDef t = row.table();
      int n = t.metrics().size();
      String key = t.name() + '\u0001' + row.identity();
      Previous prev = previous.get(key);
      double[] values = new double[n];
      Histogram[] histograms = new Histogram[n];
      out.add(
          write(
              g -> {
                g.writeStartObject();
                g.writeNumberField("timestamp", now);
                g.writeStringField("machine_id", machineId);
                g.writeStringField("entity_name", t.entity());
                g.writeStringField("table_name", t.name());
                for (int i = 0; i < t.keys().size(); i++) {
                  g.writeStringField(t.keys().get(i), row.keyValues().get(i));
                }
                for (int i = 0; i < t.labels().size(); i++) {
                  g.writeStringField(t.labels().get(i), row.labelValues().get(i));
                }
                for (int i = 0; i < n; i++) {
                  MetricDef m = t.metrics().get(i);
                  if (m.kind() == MetricKind.HISTOGRAM) {
                    Histogram h = row.histogram(i);
                    histograms[i] = h;
                    if (h != null) {
                      g.writeStringField(
                          m.name(),
                          histogramString(
                              perPeriod(h, prev == null ? null : prev.histograms()[i]), m.unit()));
                    }
                    continue;
                  }
                  double v = row.value(i);
                  values[i] = v;
                  if (Double.isNaN(v)) {
                    continue;
                  }
                  if (m.kind() == MetricKind.COUNTER
                      && prev != null
                      && !Double.isNaN(prev.values()[i])
                      && v >= prev.values()[i]) {
                    v -= prev.values()[i];
                  }
                  g.writeStringField(m.name(), number(v));
                }
                g.writeEndObject();
              }));
      previous.put(key, new Previous(values, histograms, now));
    }
    previous.values().removeIf(p -> now - p.seenMillis() > forgetMillis);
    return out;
  }

  /** Per-period counts: the increase over the previous histogram of the same bounds, else as is. */
  static Histogram perPeriod(Histogram now, Histogram before) {
    if (before == null
        || !java.util.Arrays.equals(now.upperBounds(), before.upperBounds())
        || now.count() < before.count()) {
      return now;
    }
    long[] counts = new long[now.counts().length];
    for (int i = 0; i < counts.length; i++) {
      counts[i] = now.counts()[i] - before.counts()[i];
      if (counts[i] < 0) {
        return now;
      }
    }
    return new Histogram(
        now.upperBounds(), counts, now.sum() - before.sum(), now.count() - before.count());
  }

  /** gala-gopher's {@code serialize_histo} string. */
  static String histogramString(Histogram h, String unit) {
    double scale = unit.equals("seconds") || unit.equals("s") ? 1e6 : 1;
    StringBuilder sb = new StringBuilder(16 + h.counts().length * 12).append(h.counts().length);
    long cumulative = 0;
    String max = "0";
    String lastFinite = "0";
    for (int i = 0; i < h.counts().length; i++) {
      double ub = h.upperBounds()[i];
      String bound = Double.isInfinite(ub) ? U64_MAX : Long.toString(Math.round(ub * scale));
      if (!Double.isInfinite(ub)) {
        lastFinite = bound;
      }
      cumulative += h.counts()[i];
      if (h.counts()[i] > 0) {
        max = Double.isInfinite(ub) ? lastFinite : bound;
      }
      sb.append(' ').append(bound).append(' ').append(cumulative);
    }
    return sb.append(' ').append(Math.round(h.sum() * scale)).append(' ').append(max).toString();
  }

  /**
   * One object per table: keys (machine_id first, as gala-gopher), labels and gauge/counter names.
   */
  List<byte[]> metadata(Collection<TableDef> tables, long timestampMillis) {
    List<byte[]> out = new ArrayList<>();
    for (TableDef t : tables) {
      out.add(
          write(
              g -> {
                g.writeStartObject();
                g.writeNumberField("timestamp", timestampMillis);
                g.writeStringField("meta_name", t.name());
                g.writeStringField("entity_name", t.entity());
                g.writeStringField("version", METADATA_VERSION);
                g.writeArrayFieldStart("keys");
                g.writeString("machine_id");
                for (String k : t.keys()) {
                  g.writeString(k);
                }
                g.writeEndArray();
                g.writeArrayFieldStart("labels");
                for (String l : t.labels()) {
                  g.writeString(l);
                }
                g.writeEndArray();
                g.writeArrayFieldStart("metrics");
                for (MetricDef m : t.metrics()) {
                  if (m.kind() != MetricKind.HISTOGRAM) {
                    g.writeString(m.name());
                  }
                }
                g.writeEndArray();
                g.writeEndObject();
              }));
    }
    return out;
  }

  /** An abnormal event as gala-gopher's EventData2Json writes it. */
  byte[] event(SubHealthEvent e) {
    return write(
        g -> {
          g.writeStartObject();
          g.writeNumberField("Timestamp", e.timestampMillis());
          g.writeStringField("event_id", e.eventId());
          g.writeObjectFieldStart("Attributes");
          g.writeStringField("entity_id", e.entityId());
          g.writeStringField("event_id", e.eventId());
          g.writeStringField("event_type", "sys");
          g.writeEndObject();
          g.writeObjectFieldStart("Resource");
          g.writeStringField("metric", e.metricId());
          g.writeObjectFieldStart("labels");
          g.writeStringField("Host", e.machineId());
          for (String l : List.of("PID", "COMM", "IP", "ContainerID", "POD", "Device")) {
            g.writeStringField(l, e.labels().getOrDefault(l, ""));
          }
          g.writeEndObject();
          g.writeEndObject();
          g.writeStringField("SeverityText", e.severity().name());
          g.writeNumberField("SeverityNumber", e.severity().number());
          g.writeStringField("Body", e.body(zone));
          g.writeEndObject();
        });
  }

  /** A value as gala-gopher prints it: integers without a decimal point. */
  static String number(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e18) {
      return Long.toString((long) v);
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "inf" : "-inf";
    }
    String s = Double.toString(v);
    return s.indexOf('E') >= 0
        ? new BigDecimal(v)
            .round(new java.math.MathContext(12))
            .stripTrailingZeros()
            .toPlainString()
        : s.toLowerCase(Locale.ROOT);
  }

  private interface Body {
    void write(JsonGenerator g) throws IOException;
  }

  private byte[] write(Body body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = factory.createGenerator(out)) {
      body.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException("JSON into memory failed", e);
    }
    return out.toByteArray();
  }
}
