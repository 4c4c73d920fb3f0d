package io.gala.agent.probe.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.gala.agent.table.Histogram;
import io.gala.agent.table.Row;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShortLinkRollupTest {
  private static List<Row> connection(int clientPort, long txBytes, double synSeconds) {
    Row link =
        TcpLinkTable.TCP_LINK
            .row()
            .key("tgid", 42)
            .key("role", "client")
            .key("client_ip", "10.0.0.1")
            .key("server_ip", "10.0.0.2")
            .key("client_port", clientPort)
            .key("server_port", 6379)
            .key("protocol", 2)
            .label("comm", "redis-benchmark")
            .set("tx_bytes", txBytes)
            .set("srtt", 30)
            .set("connect_failed", 0)
            .histogram(
                "syn_srtt_seconds",
                new Histogram(new double[] {synSeconds}, new long[] {1}, synSeconds, 1))
            .build();
    Row drop =
        TcpLinkTable.TCP_DROP
            .row()
            .key("tgid", 42)
            .key("role", "client")
            .key("client_ip", "10.0.0.1")
            .key("server_ip", "10.0.0.2")
            .key("client_port", clientPort)
            .key("server_port", 6379)
            .key("protocol", 2)
            .key("reason", "NO_SOCKET")
            .set("packets", 1)
            .build();
    return List.of(link, drop);
  }

  /** One sample's short connections through the rollup; returns the rows exported one by one. */
  private static List<Row> fold(
      ShortLinkRollup rollup, List<List<Row>> shortLived, long nowMillis) {
    List<Row> individual = new ArrayList<>();
    ShortLinkRollup.Period period = rollup.period(nowMillis);
    shortLived.forEach(rows -> period.offer(rows, individual::add));
    period.finish(individual::add);
    return individual;
  }

  private static List<List<Row>> storm(int n, int firstPort) {
    List<List<Row>> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(connection(firstPort + i, 100, i % 2 == 0 ? 0.001 : 0.002));
    }
    return out;
  }

  @Test
  void fewShortConnectionsKeepTheirOwnSeries() {
    ShortLinkRollup rollup = new ShortLinkRollup(3, 60_000);
    assertThat(fold(rollup, storm(3, 50000), 0)).hasSize(6);
    List<Row> folded = new ArrayList<>();
    rollup.emit(folded::add, 0);
    assertThat(folded).isEmpty();
    assertThat(rollup.foldedConnections()).isZero();
  }

  @Test
  void aStormIsSummedIntoOneSeriesPerPeerWithCountersAndHistogramsAndNoGauges() {
    ShortLinkRollup rollup = new ShortLinkRollup(3, 60_000);
    assertThat(fold(rollup, storm(4, 50000), 0)).isEmpty();
    // Once storming, even a quiet period's single connection is folded: the series do not flip.
    assertThat(fold(rollup, storm(1, 60000), 5000)).isEmpty();
    List<Row> rows = new ArrayList<>();
    rollup.emit(rows::add, 5000);
    assertThat(rows).hasSize(2);
    Row link =
        rows.stream().filter(r -> r.table() == TcpLinkTable.TCP_LINK).findFirst().orElseThrow();
    assertThat(link.key("client_port")).isEqualTo(ShortLinkRollup.FOLDED_PORT);
    assertThat(link.key("server_port")).isEqualTo("6379");
    assertThat(link.value("tx_bytes")).isEqualTo(500);
    assertThat(link.value("connect_failed")).isZero();
    assertThat(link.value("srtt")).as("a gauge of closed connections is not summed").isNaN();
    Histogram syn = link.histogram("syn_srtt_seconds");
    assertThat(syn.count()).isEqualTo(5);
    assertThat(syn.counts()).containsExactly(3, 2);
    assertThat(syn.sum())
        .isCloseTo(3 * 0.001 + 2 * 0.002, org.assertj.core.api.Assertions.within(1e-12));
    Row drop =
        rows.stream().filter(r -> r.table() == TcpLinkTable.TCP_DROP).findFirst().orElseThrow();
    assertThat(drop.value("packets")).isEqualTo(5);
    assertThat(rollup.foldedConnections()).isEqualTo(5);
  }

  @Test
  void aQuietKeyIsForgottenAndStartsOverBelowTheThreshold() {
    ShortLinkRollup rollup = new ShortLinkRollup(3, 60_000);
    fold(rollup, storm(10, 50000), 0);
    List<Row> rows = new ArrayList<>();
    rollup.emit(rows::add, 60_001);
    assertThat(rows).isEmpty();
    assertThat(fold(rollup, storm(1, 50000), 61_000)).hasSize(2);
  }
}
