package io.gala.agent.event;

import io.gala.agent.export.Sample;
import io.gala.agent.export.SampleListener;
import io.gala.agent.table.MetricDef;
import io.gala.agent.table.MetricKind;
import io.gala.agent.table.Row;
import io.gala.agent.table.TableDef;
import io.gala.transport.EntityIds;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Runs the sub-health checks ({@link SubHealthRules}) over every sample and hands what fires to a
 * sink (the Kafka exporter). As gala-gopher: a probe's checks run only while its param {@code
 * report_event} is 1, and an entity that was reported is silent for 600 s. Counters are compared by
 * their increase since the previous sample; in the first sample that shows a table, its counters
 * are only a baseline (they may count since boot). State is bounded: entities unseen for the
 * silence period are forgotten. Runs on the sampler thread.
 */
public final class SubHealthDetector implements SampleListener {
  /** gala-gopher's event period: the same entity is not reported again within it. */
  public static final long SILENCE_MILLIS = 600_000;

  private final ProbeParams params;
  private final Consumer<List<SubHealthEvent>> sink;
  private final List<SubHealthRule> rules;
  private final long silenceMillis;
  private final Map<TableDef, List<Bound>> bound = new IdentityHashMap<>();
  private final Set<String> tablesSeen = new HashSet<>();
  private final Map<String, Previous> previous = new HashMap<>();
  private final Map<String, Long> lastReported = new LinkedHashMap<>();
  private long reported;
  private long suppressed;

  /** A rule resolved against one table: the metric's index, kind and unit. */
  private record Bound(SubHealthRule rule, int metric, MetricKind kind, String unit, String name) {}

  private record Previous(double[] values, long seenMillis) {}

  public SubHealthDetector(ProbeParams params, Consumer<List<SubHealthEvent>> sink) {
    this(params, sink, SubHealthRules.ALL, SILENCE_MILLIS);
  }

  public SubHealthDetector(
      ProbeParams params,
      Consumer<List<SubHealthEvent>> sink,
      List<SubHealthRule> rules,
      long silenceMillis) {
    this.params = params;
    this.sink = sink;
    this.rules = List.copyOf(rules);
    this.silenceMillis = silenceMillis;
  }

  @Override
  public void onSample(Sample sample) {
    List<SubHealthEvent> events = check(sample);
    if (!events.isEmpty()) {
      sink.accept(events);
    }
  }

  /** Events reported so far. */
  public long reported() {
    return reported;
  }

  /** Findings not reported because their entity was reported within the silence period. */
  public long suppressed() {
    return suppressed;
  }

  /** The events one sample raises (and updates the state); onSample hands them to the sink. */
  public List<SubHealthEvent> check(Sample sample) {
    long now = sample.timestampMillis();
    Map<String, Map<String, Object>> paramsByProbe = new HashMap<>();
    Set<String> newTables = new HashSet<>();
    List<SubHealthEvent> out = new ArrayList<>();
    for (Row row : sample.rows()) {
      TableDef t = row.table();
      List<Bound> checks = bound.computeIfAbsent(t, this::bind);
      if (checks.isEmpty()) {
        continue;
      }
      if (tablesSeen.add(t.name())) {
        newTables.add(t.name());
      }
      boolean baselineOnly = newTables.contains(t.name());
      String stateKey = t.name() + '\u0001' + row.identity();
      Previous prev = previous.get(stateKey);
      double[] current = new double[checks.size()];
      for (int i = 0; i < checks.size(); i++) {
        Bound b = checks.get(i);
        current[i] = row.value(b.metric());
        double before = prev == null ? (baselineOnly ? Double.NaN : 0) : prev.values()[i];
        Map<String, Object> p = paramsByProbe.computeIfAbsent(b.rule().probe(), params::of);
        SubHealthEvent e = evaluate(b, current[i], before, p, row, sample);
        if (e != null) {
          out.add(e);
        }
      }
      previous.put(stateKey, new Previous(current, now));
    }
    previous.values().removeIf(p -> now - p.seenMillis() > silenceMillis);
    lastReported.values().removeIf(ts -> now - ts >= silenceMillis);
    return out;
  }

  private List<Bound> bind(TableDef t) {
    List<Bound> out = new ArrayList<>();
    for (SubHealthRule r : rules) {
      if (!r.entity().equals(t.entity())) {
        continue;
      }
      List<MetricDef> metrics = t.metrics();
      for (int i = 0; i < metrics.size(); i++) {
        MetricDef m = metrics.get(i);
        int index = i;
        if (m.kind() != MetricKind.HISTOGRAM
            && r.metrics().stream().anyMatch(n -> n.equalsIgnoreCase(m.name()))) {
          out.add(new Bound(r, index, m.kind(), m.unit(), m.name()));
          break;
        }
      }
    }
    return out;
  }

  private SubHealthEvent evaluate(
      Bound b, double value, double before, Map<String, Object> p, Row row, Sample sample) {
    SubHealthRule r = b.rule();
    if (Double.isNaN(value)
        || !(p.get("report_event") instanceof Number on)
        || on.intValue() != 1) {
      return null;
    }
    double threshold = p.get(r.param()) instanceof Number n ? n.doubleValue() : 0;
    if (r.needsParam() && threshold <= 0) {
      return null;
    }
    double measured = value;
    if (r.trigger() == SubHealthRule.Trigger.INCREASE && b.kind() == MetricKind.COUNTER) {
      if (Double.isNaN(before)) {
        return null;
      }
      measured = value >= before ? value - before : value;
    }
    measured = convert(measured, r.measure(), b.unit());
    if (!(measured > threshold)) {
      return null;
    }
    String machineId = sample.identity().machineId();
    TableDef t = row.table();
    String entityId = EntityIds.entityId(machineId, t.entity(), row.keyValues());
    Long last = lastReported.get(entityId);
    if (last != null && sample.timestampMillis() - last < silenceMillis) {
      suppressed++;
      return null;
    }
    lastReported.put(entityId, sample.timestampMillis());
    reported++;
    Map<String, String> keys = new LinkedHashMap<>();
    for (int i = 0; i < t.keys().size(); i++) {
      keys.put(t.keys().get(i), row.keyValues().get(i));
    }
    Map<String, String> labels = resourceLabels(row);
    String description =
        r.description()
            .replace("{value}", format(measured))
            .replace("{comm}", labels.get("COMM"))
            .replace("{pid}", labels.get("PID"))
            .replace("{device}", labels.get("Device"));
    return new SubHealthEvent(
        sample.timestampMillis(),
        machineId,
        entityId,
        t.name(),
        t.entity(),
        b.name(),
        Severity.WARN,
        description,
        keys,
        labels,
        measured,
        threshold);
  }

  static double convert(double v, SubHealthRule.Measure measure, String unit) {
    String u = unit.toLowerCase(Locale.ROOT);
    return switch (measure) {
      case COUNT -> v;
      case PERCENT -> u.equals("ratio") ? v * 100 : v;
      case MILLIS ->
          switch (u) {
            case "ns", "nanoseconds" -> v / 1e6;
            case "us", "microseconds" -> v / 1e3;
            case "s", "seconds" -> v * 1e3;
            default -> v;
          };
    };
  }

  static String format(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15
        ? Long.toString((long) v)
        : String.format(Locale.ROOT, "%.2f", v);
  }

  /** gala-ops resource labels of an event from the row's keys and labels. */
  static Map<String, String> resourceLabels(Row row) {
    Map<String, String> l = new LinkedHashMap<>();
    l.put("PID", field(row, "tgid", "pid"));
    l.put("COMM", field(row, "comm"));
    String client = field(row, "client_ip");
    String server = field(row, "server_ip");
    String port = field(row, "server_port");
    String ip = "";
    if (row.table().entity().equals("tcp_link")) {
      ip = "CIP(" + client + "), SIP(" + server + ":" + port + ")";
    } else if (!server.isEmpty() || !client.isEmpty()) {
      ip = "Client " + client + ", Server " + server + ":" + port;
    }
    l.put("IP", ip);
    l.put("ContainerID", field(row, "container_id"));
    l.put("POD", field(row, "pod", "pod_id"));
    l.put("Device", field(row, "dev_name", "disk_name", "blk_name"));
    return l;
  }

  private static String field(Row row, String... names) {
    TableDef t = row.table();
    for (String n : names) {
      if (t.keys().contains(n)) {
        return row.key(n);
      }
      if (t.labels().contains(n)) {
        return row.label(n);
      }
    }
    return "";
  }
}
