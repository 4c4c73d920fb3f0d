package io.gala.agent.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.gala.agent.probe.Identity;
import io.gala.agent.table.Histogram;
import io.gala.agent.table.TableDef;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrometheusExporterTest {
  private static final Identity NODE = new Identity("uuid-10.0.0.1", "10.0.0.1");
  private static final TableDef LINK =
      TableDef.builder("tcp_link")
          .keys("tgid", "client_port")
          .labels("comm", "container_id")
          .gauge("srtt", "us", "Smoothed round-trip time")
          .counter("rx_bytes", "bytes", "Bytes received")
          .histogram("srtt_hist", "seconds", "Round-trip time distribution")
          .build();

  @Test
  void rendersExactExpositionTextWithStandardHistogramsAndNoTotalSuffix() {
    PrometheusExporter exporter = new PrometheusExporter(60_000, true);
    Histogram h =
        new Histogram(
            new double[] {0.001, 0.002, Double.POSITIVE_INFINITY}, new long[] {2, 1, 1}, 0.0065, 4);
    exporter.onSample(
        new Sample(
            1_700_000_000_000L,
            NODE,
            0,
            List.of(
                LINK.row()
                    .key("tgid", 42)
                    .key("client_port", 5000)
                    .label("comm", "redis \"x\"")
                    .set("srtt", 35.5)
                    .set("rx_bytes", 1024)
                    .histogram("srtt_hist", h)
                    .build())));

    assertThat(exporter.text())
        .isEqualTo(
            """
        # HELP gala_gopher_tcp_link_srtt Smoothed round-trip time (us)
        # TYPE gala_gopher_tcp_link_srtt gauge
        gala_gopher_tcp_link_srtt{machine_id="uuid-10.0.0.1",tgid="42",client_port="5000",comm="redis \\"x\\""} 35.5 1700000000000
        # HELP gala_gopher_tcp_link_rx_bytes Bytes received (bytes)
        # TYPE gala_gopher_tcp_link_rx_bytes counter
        gala_gopher_tcp_link_rx_bytes{machine_id="uuid-10.0.0.1",tgid="42",client_port="5000",comm="redis \\"x\\""} 1024 1700000000000
        # HELP gala_gopher_tcp_link_srtt_hist Round-trip time distribution (seconds)
        # TYPE gala_gopher_tcp_link_srtt_hist histogram
        gala_gopher_tcp_link_srtt_hist_bucket{machine_id="uuid-10.0.0.1",tgid="42",client_port="5000",comm="redis \\"x\\"",le="0.001"} 2 1700000000000
        gala_gopher_tcp_link_srtt_hist_bucket{machine_id="uuid-10.0.0.1",tgid="42",client_port="5000",comm="redis \\"x\\"",le="0.002"} 3 1700000000000
        gala_gopher_tcp_link_srtt_hist_bucket{machine_id="uuid-10.0.0.1",tgid="42",client_port="5000",comm="redis \\"x\\"",le="+Inf"} 4 1700000000000
        gala_gopher_tcp_link_srtt_hist_sum{machine_id="uuid-10.0.0.1",tgid="42",client_port="5000",comm="redis \\"x\\""} 0.0065 1700000000000
        gala_gopher_tcp_link_srtt_hist_count{machine_id="uuid-10.0.0.1",tgid="42",client_port="5000",comm="redis \\"x\\""} 4 1700000000000
        """);
  }

  @Test
  void keepsAVanishedEntityUntilItAgesOut() {
    PrometheusExporter exporter = new PrometheusExporter(60_000, false);
    exporter.onSample(
        new Sample(0, NODE, 0, List.of(LINK.row().key("tgid", 1).set("srtt", 1).build())));
    exporter.onSample(
        new Sample(60_000, NODE, 0, List.of(LINK.row().key("tgid", 2).set("srtt", 2).build())));
    assertThat(exporter.text()).contains("tgid=\"1\"").contains("tgid=\"2\"");
    exporter.onSample(
        new Sample(60_001, NODE, 0, List.of(LINK.row().key("tgid", 2).set("srtt", 2).build())));
    assertThat(exporter.text()).doesNotContain("tgid=\"1\"").contains("tgid=\"2\"");
  }

  @Test
  void omitsUnsetMetricsAndAnswers503BeforeTheFirstSample() {
    PrometheusExporter exporter = new PrometheusExporter(60_000, false);
    assertThat(exporter.scrape("/metrics").status()).isEqualTo(503);
    exporter.onSample(
        new Sample(0, NODE, 0, List.of(LINK.row().key("tgid", 1).set("rx_bytes", 5).build())));
    assertThat(exporter.text()).doesNotContain("srtt").contains("gala_gopher_tcp_link_rx_bytes{");
    assertThat(exporter.scrape("/metrics").status()).isEqualTo(200);
    assertThat(exporter.scrape("/nope").status()).isEqualTo(404);
  }
}
