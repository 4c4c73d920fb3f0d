package io.gala.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class MetricsDocTest {
  @Test
  void committedMetricsReferenceMatchesTheProbesDeclarations() throws Exception {
    Path doc = Path.of("..", "docs", "metrics.md");
    assertThat(Files.readString(doc))
        .as(
            "docs/metrics.md is stale: regenerate with `java -cp gopher-agent/target/gopher-agent.jar "
                + "io.gala.agent.MetricsDoc docs/metrics.md`")
        .isEqualTo(MetricsDoc.current());
  }

  @Test
  void noTwoTablesExportTheSameMetricName() {
    // Two TYPE lines for one name make Prometheus reject the whole scrape.
    java.util.Map<String, String> seen = new java.util.HashMap<>();
    java.util.List<String> clashes = new java.util.ArrayList<>();
    java.util.List<io.gala.agent.table.TableDef> tables =
        new java.util.ArrayList<>(AgentTables.ALL);
    for (io.gala.agent.probe.ProbeSpec spec : ProbeCatalog.all()) {
      io.gala.agent.probe.Probe p = spec.factory().get();
      tables.addAll(p.tables());
      p.close();
    }
    for (io.gala.agent.table.TableDef t : tables) {
      for (io.gala.agent.table.MetricDef m : t.metrics()) {
        String name = "gala_gopher_" + t.entity() + "_" + m.name();
        String before = seen.put(name, t.name());
        if (before != null && !before.equals(t.name())) {
          clashes.add(name + " in " + before + " and " + t.name());
        }
      }
    }
    assertThat(clashes).isEmpty();
  }
}
