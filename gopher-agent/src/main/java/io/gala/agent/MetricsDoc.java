package io.gala.agent;

import io.gala.agent.probe.Probe;
import io.gala.agent.probe.ProbeSpec;
import io.gala.agent.table.MetricDef;
import io.gala.agent.table.MetricKind;
import io.gala.agent.table.TableDef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes docs/metrics.md from the tables the probes declare, so that the reference can never drift
 * from the code: {@code java -cp gopher-agent.jar io.gala.agent.MetricsDoc docs/metrics.md}. A test
 * fails when the committed file differs from what this generates.
 */
public final class MetricsDoc {
  private MetricsDoc() {}

  static String render(List<ProbeSpec> catalog, List<TableDef> agentTables) {
    StringBuilder b = new StringBuilder();
    b.append("# Metrics reference\n\n")
        .append(
            "Generated from the probes' table declarations by `io.gala.agent.MetricsDoc`; do not edit by hand.\n")
        .append(
            "Every series carries `machine_id` plus the table's keys and non-empty labels. Counters are cumulative,\n")
        .append("histograms are standard Prometheus histograms (`_bucket`, `_sum`, `_count`).\n");
    Map<String, List<TableDef>> byProbe = new LinkedHashMap<>();
    for (ProbeSpec spec : catalog) {
      Probe p = spec.factory().get();
      try {
        byProbe.put(spec.name(), p.tables());
      } finally {
        p.close();
      }
    }
    byProbe.put("agent (self-health)", agentTables);
    byProbe.forEach(
        (probe, tables) -> {
          b.append("\n## ").append(probe).append('\n');
          for (TableDef t : tables) {
            b.append("\n### table `").append(t.name()).append("`\n\n");
            b.append("keys: ")
                .append(fields(t.keys()))
                .append("; labels: ")
                .append(fields(t.labels()))
                .append("\n\n");
            b.append("| metric | type | unit | description |\n| --- | --- | --- | --- |\n");
            for (MetricDef m : t.metrics()) {
              b.append("| `gala_gopher_")
                  .append(t.entity())
                  .append('_')
                  .append(m.name())
                  .append("` | ")
                  .append(m.kind().name().toLowerCase())
                  .append(" | ")
                  .append(m.unit().isEmpty() ? "-" : m.unit())
                  .append(" | ")
                  .append(m.help().replace("|", "\\|"))
                  .append(m.kind() == MetricKind.HISTOGRAM ? " (`_bucket`, `_sum`, `_count`)" : "")
                  .append(" |\n");
            }
          }
        });
    return b.toString();
  }

  private static String fields(List<String> names) {
    if (names.isEmpty()) {
      return "-";
    }
    List<String> quoted = new ArrayList<>();
    names.forEach(n -> quoted.add("`" + n + "`"));
    return String.join(", ", quoted);
  }

  /** The doc of the real catalog. */
  static String current() {
    return render(ProbeCatalog.all(), AgentTables.ALL);
  }

  public static void main(String[] args) throws IOException {
    Files.writeString(Path.of(args.length > 0 ? args[0] : "docs/metrics.md"), current());
  }
}
