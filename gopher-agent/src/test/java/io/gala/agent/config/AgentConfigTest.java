package io.gala.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent config file's otel section: off by default, read, validated, unknown keys refused. */
class AgentConfigTest {
  @TempDir Path dir;

  private AgentConfig load(String json) throws Exception {
    Path f = dir.resolve("agent.json");
    Files.writeString(f, json);
    return AgentConfig.load(f);
  }

  @Test
  void otelIsOffByDefault() throws Exception {
    AgentConfig c = load("{}");
    assertThat(c.otel.enabled()).isFalse();
    assertThat(c.otel.endpoint).isEmpty();
    assertThat(c.otel.timeoutMs).isEqualTo(10_000);
  }

  @Test
  void readsTheOtelEndpointAndTimeout() throws Exception {
    AgentConfig c =
        load("{\"otel\": {\"endpoint\": \"http://127.0.0.1:4318\", \"timeout_ms\": 3000}}");
    assertThat(c.otel.enabled()).isTrue();
    assertThat(c.otel.endpoint).isEqualTo("http://127.0.0.1:4318");
    assertThat(c.otel.timeoutMs).isEqualTo(3000);
  }

  @Test
  void refusesUnknownOtelKeysBadEndpointsAndTimeouts() {
    assertThatThrownBy(() -> load("{\"otel\": {\"endpiont\": \"http://x:4318\"}}"))
        .hasMessageContaining("unknown key \"endpiont\"");
    assertThatThrownBy(() -> load("{\"otel\": {\"endpoint\": \"collector:4318\"}}"))
        .hasMessageContaining("otel.endpoint must be an http:// or https:// URL");
    assertThatThrownBy(
            () -> load("{\"otel\": {\"endpoint\": \"http://x:4318\", \"timeout_ms\": 10}}"))
        .hasMessageContaining("otel.timeout_ms must be in [1000, 60000]");
  }
}
