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
        .as("docs/metrics.md is stale: regenerate with `java -cp gopher-agent/target/gopher-agent.jar "
            + "io.gala.agent.MetricsDoc docs/metrics.md`")
        .isEqualTo(MetricsDoc.current());
  }
}
