package io.gala.agent.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaConfigTest {
  @Test
  void readsTheAgentConfigSectionWithDefaultsForWhatIsOmitted() {
    KafkaConfig c =
        KafkaConfig.fromMap(
            Map.of(
                "bootstrap_servers",
                "k1:9092,k2:9092",
                "json",
                true,
                "topics",
                Map.of("records", "my_records"),
                "client",
                Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512")));
    assertThat(c.enabled()).isTrue();
    assertThat(c.json()).isTrue();
    assertThat(c.topics().records()).isEqualTo("my_records");
    assertThat(c.topics().jsonEvents()).isEqualTo("gala_gopher_event");
    assertThat(c.spoolBytes()).isEqualTo(64L << 20);
    var props = KafkaExporter.producerProperties(c, 1 << 20);
    assertThat(props)
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("acks", "all")
        .containsEntry("enable.idempotence", "true")
        .containsEntry("delivery.timeout.ms", String.valueOf(Integer.MAX_VALUE));
    assertThat(KafkaConfig.fromMap(Map.of()).enabled()).isFalse();
  }

  @Test
  void refusesUnknownKeysAndOverridesOfTheDeliveryGuarantees() {
    assertThatThrownBy(() -> KafkaConfig.fromMap(Map.of("bootstrap", "x")))
        .hasMessageContaining("unknown key(s) [bootstrap]");
    assertThatThrownBy(() -> KafkaConfig.fromMap(Map.of("topics", Map.of("record", "x"))))
        .hasMessageContaining("record");
    assertThatThrownBy(() -> KafkaConfig.fromMap(Map.of("client", Map.of("acks", "1"))))
        .hasMessageContaining("kafka.client.acks");
    assertThatThrownBy(() -> KafkaConfig.fromMap(Map.of("compression", "brotli")))
        .hasMessageContaining("compression");
    assertThatThrownBy(
            () -> KafkaConfig.fromMap(Map.of("topics", Map.of("records", "gala_gopher"))))
        .hasMessageContaining("must differ");
  }
}
