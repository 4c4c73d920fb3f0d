package io.gala.agent.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gala.agent.export.Sample;
import io.gala.agent.table.Histogram;
import io.gala.agent.table.Row;
import io.gala.agent.table.TableDef;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class GalaOpsEncoderTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TableDef T =
      TableDef.builder("tcp_link")
          .keys("tgid")
          .labels("comm")
          .counter("rx_bytes", "bytes", "Bytes received")
          .gauge("rtt", "us", "RTT")
          .histogram("srtt", "seconds", "Smoothed RTT")
          .build();
  private static final double[] B = {0.001, 0.01, Double.POSITIVE_INFINITY};

  private static Sample sample(long ts, double rx, long[] counts) {
    long n = counts[0] + counts[1] + counts[2];
    Row r =
        T.row()
            .key("tgid", 7)
            .label("comm", "nginx")
            .set("rx_bytes", rx)
            .set("rtt", 12.5)
            .histogram("srtt", new Histogram(B, counts, n * 0.002, n))
            .build();
    return new Sample(ts, TestSamples.ID, 1, List.of(r));
  }

  @Test
  void writesFlatRecordsWithPerPeriodCountersAndHistograms() throws Exception {
    GalaOpsEncoder enc = new GalaOpsEncoder(ZoneOffset.UTC, 600_000);
    JsonNode first = JSON.readTree(enc.metrics(sample(5000, 1000, new long[] {1, 2, 0})).get(0));
    JsonNode second = JSON.readTree(enc.metrics(sample(10000, 1500, new long[] {3, 2, 1})).get(0));
    assertThat(first.toString())
        .isEqualTo(
            "{\"timestamp\":5000,\"machine_id\":\""
                + TestSamples.ID.machineId()
                + "\",\"entity_name\":\"tcp_link\",\"table_name\":\"tcp_link\",\"tgid\":\"7\",\"comm\":\"nginx\","
                + "\"rx_bytes\":\"1000\",\"rtt\":\"12.5\",\"srtt\":\"3 1000 1 10000 3 18446744073709551615 3 6000 10000\"}");
    assertThat(second.get("rx_bytes").asText()).isEqualTo("500");
    assertThat(second.get("rtt").asText()).isEqualTo("12.5");
    // Counts of the period: 2, 0, 1; sum 0.012 - 0.006 s = 6000 us; max is the last finite bound.
    assertThat(second.get("srtt").asText())
        .isEqualTo("3 1000 2 10000 2 18446744073709551615 3 6000 10000");
  }

  @Test
  void aCounterResetIsReportedAsItsNewValue() throws Exception {
    GalaOpsEncoder enc = new GalaOpsEncoder(ZoneOffset.UTC, 600_000);
    enc.metrics(sample(5000, 1000, new long[] {1, 0, 0}));
    JsonNode after = JSON.readTree(enc.metrics(sample(10000, 40, new long[] {0, 0, 0})).get(0));
    assertThat(after.get("rx_bytes").asText()).isEqualTo("40");
    assertThat(after.get("srtt").asText()).startsWith("3 1000 0 ");
  }

  @Test
  void writesMetadataAsGalaGopher() throws Exception {
    JsonNode m =
        JSON.readTree(new GalaOpsEncoder(ZoneOffset.UTC, 1).metadata(List.of(T), 42).get(0));
    assertThat(m.toString())
        .isEqualTo(
            "{\"timestamp\":42,\"meta_name\":\"tcp_link\",\"entity_name\":\"tcp_link\","
                + "\"version\":\"1.0.0\",\"keys\":[\"machine_id\",\"tgid\"],\"labels\":[\"comm\"],\"metrics\":[\"rx_bytes\",\"rtt\"]}");
  }

  @Test
  void printsNumbersAsGalaGopher() {
    assertThat(GalaOpsEncoder.number(3)).isEqualTo("3");
    assertThat(GalaOpsEncoder.number(0.25)).isEqualTo("0.25");
    assertThat(GalaOpsEncoder.number(1e-7)).isEqualTo("0.0000001");
  }
}
