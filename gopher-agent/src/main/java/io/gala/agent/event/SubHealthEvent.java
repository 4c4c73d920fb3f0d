package io.gala.agent.event;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;

/**
 * One sub-health finding: an entity whose metric crossed its threshold, with what gala-ops puts in
 * an abnormal event (gala-compat.md): entity and event ids, the metric, severity, a description and
 * the resource labels ({@code PID}, {@code COMM}, {@code IP}, {@code ContainerID}, {@code POD},
 * {@code Device}).
 *
 * @param value the value compared (an increase over the last sample for counters)
 */
public record SubHealthEvent(
    long timestampMillis,
    String machineId,
    String entityId,
    String table,
    String entity,
    String metric,
    Severity severity,
    String description,
    Map<String, String> keys,
    Map<String, String> labels,
    double value,
    double threshold) {

  /**
   * {@code asctime} as gala-gopher writes it at the start of the body: "Wed Jun 30 21:49:08 1993".
   */
  private static final DateTimeFormatter ASCTIME =
      DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.ROOT);

  public SubHealthEvent {
    keys = Map.copyOf(keys);
    labels = Map.copyOf(labels);
  }

  /** {@code <timestamp>_<entity_id>}, as gala-ops. */
  public String eventId() {
    return timestampMillis + "_" + entityId;
  }

  /** {@code gala_gopher_<entity>_<metric>}. */
  public String metricId() {
    return io.gala.transport.EntityIds.metricId(entity, metric);
  }

  /** {@code <local time> WARN Entity(<entity_id>) <description>}, as gala-gopher's report_logs. */
  public String body(ZoneId zone) {
    return ASCTIME.format(Instant.ofEpochMilli(timestampMillis).atZone(zone))
        + " "
        + severity
        + " Entity("
        + entityId
        + ") "
        + description;
  }
}
