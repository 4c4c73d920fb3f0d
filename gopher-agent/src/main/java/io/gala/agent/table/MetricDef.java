package io.gala.agent.table;

import java.util.Objects;

/**
 * One metric of a table: its field name (exported as {@code gala_gopher_<entity>_<name>}), kind,
 * unit and help text. The unit is repeated in the HELP line so that a reader never has to guess.
 */
public record MetricDef(String name, MetricKind kind, String unit, String help) {
  public MetricDef {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(unit, "unit");
    if (help == null || help.isBlank()) {
      throw new IllegalArgumentException("metric " + name + " needs a help text");
    }
    if (!name.matches("[a-zA-Z_][a-zA-Z0-9_]*")) {
      throw new IllegalArgumentException(
          "metric name " + name + " is not a Prometheus name [a-zA-Z_][a-zA-Z0-9_]*");
    }
  }
}
