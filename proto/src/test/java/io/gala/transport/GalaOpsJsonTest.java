package io.gala.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class GalaOpsJsonTest {
  @Test
  void parsesGalaGopherHistogramStrings() {
    // serialize_histo of 3 buckets (le 100, 200, max u64) with counts 1, 2, 0: cumulative 1, 3, 3.
    GalaOpsJson.HistogramString h =
        GalaOpsJson.parseHistogram("3 100 1 200 3 18446744073709551615 3 450 180");
    assertThat(h.upperBounds()).containsExactly(100, 200, -1L);
    assertThat(h.cumulativeCounts()).containsExactly(1, 3, 3);
    assertThat(h.sum()).isEqualTo(450);
    assertThat(h.max()).isEqualTo(180);
    assertThatThrownBy(() -> GalaOpsJson.parseHistogram("2 100 1"))
        .hasMessageContaining("needs 7 numbers");
  }

  @Test
  void acceptsObjectsWithTheirTopicsFieldsOnly() throws Exception {
    byte[] metric =
        "{\"timestamp\":1,\"machine_id\":\"m\",\"entity_name\":\"tcp_link\",\"rx_bytes\":\"3\"}"
            .getBytes(StandardCharsets.UTF_8);
    assertThat(GalaOpsJson.decode(Topics.Stream.JSON_METRICS, metric).get("rx_bytes").asText())
        .isEqualTo("3");
    assertThatThrownBy(() -> GalaOpsJson.decode(Topics.Stream.JSON_EVENTS, metric))
        .hasMessageContaining("Timestamp");
    assertThatThrownBy(
            () ->
                GalaOpsJson.decode(
                    Topics.Stream.JSON_METRICS, "[1]".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(CorruptBatchException.class);
    assertThatThrownBy(
            () -> GalaOpsJson.decode(Topics.Stream.JSON_METRICS, new byte[] {(byte) 0xff, 0x00}))
        .isInstanceOf(CorruptBatchException.class);
  }
}
