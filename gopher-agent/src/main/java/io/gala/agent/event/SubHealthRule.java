package io.gala.agent.event;

import java.util.List;

/**
 * One check of gala-gopher's abnormal events, as data: which entity and metric, what fires it,
 * which probe param holds the threshold, and the description with placeholders {@code {value}},
 * {@code {comm}}, {@code {pid}}, {@code {device}}.
 *
 * @param probe the gala-ops probe whose params hold the threshold and {@code report_event}
 * @param entity the table entity (tcp_link, endpoint_tcp, proc, block, disk, fs, nic, cpu, mem)
 * @param metrics the metric name and accepted alternative names (matched ignoring case)
 * @param param the threshold param (drops_thr, latency_thr, res_upper_thr); its value 0 = no
 *     threshold
 * @param needsParam the check is off while the param is 0 (gala-gopher: drops of tcp_link, nic,
 *     utilisation)
 */
public record SubHealthRule(
    String probe,
    String entity,
    List<String> metrics,
    Trigger trigger,
    Measure measure,
    String param,
    boolean needsParam,
    String description) {

  public SubHealthRule {
    metrics = List.copyOf(metrics);
  }

  /** When the rule fires. */
  public enum Trigger {
    /**
     * The increase since the last sample (a counter) or the per-period value (a gauge) exceeds the
     * threshold.
     */
    INCREASE,
    /** The current value exceeds the threshold. */
    ABOVE
  }

  /** What the value is compared as. */
  public enum Measure {
    /** As it is. */
    COUNT,
    /**
     * Milliseconds, converted from the metric's unit; the threshold param is in ms (latency_thr).
     */
    MILLIS,
    /** Percent; a ratio metric (unit "ratio" or empty with values up to 1) is multiplied by 100. */
    PERCENT
  }

  /** Fires on any increase (or over drops_thr when set). */
  static SubHealthRule increase(String probe, String entity, String metric, String description) {
    return new SubHealthRule(
        probe,
        entity,
        List.of(metric),
        Trigger.INCREASE,
        Measure.COUNT,
        "drops_thr",
        false,
        description);
  }

  /** Fires on an increase over drops_thr; off while drops_thr is 0. */
  static SubHealthRule dropsOver(String probe, String entity, String metric, String description) {
    return new SubHealthRule(
        probe,
        entity,
        List.of(metric),
        Trigger.INCREASE,
        Measure.COUNT,
        "drops_thr",
        true,
        description);
  }

  /** Fires above res_upper_thr percent; off while it is 0. */
  static SubHealthRule percentOver(
      String probe, String entity, List<String> metrics, String description) {
    return new SubHealthRule(
        probe, entity, metrics, Trigger.ABOVE, Measure.PERCENT, "res_upper_thr", true, description);
  }

  /** Fires above latency_thr milliseconds; off while it is 0. */
  static SubHealthRule latencyOver(
      String probe, String entity, String metric, Trigger trigger, String description) {
    return new SubHealthRule(
        probe, entity, List.of(metric), trigger, Measure.MILLIS, "latency_thr", true, description);
  }
}
