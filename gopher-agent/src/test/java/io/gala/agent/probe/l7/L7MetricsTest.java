package io.gala.agent.probe.l7;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.gala.agent.probe.ProcessInfo;
import io.gala.agent.probe.l7.protocol.Exchange;
import io.gala.agent.probe.l7.protocol.Protocol;
import io.gala.agent.probe.l7.protocol.Status;
import io.gala.agent.table.Histogram;
import io.gala.agent.table.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Aggregation of exchanges into l7_link, l7_rpc, l7_rpc_api, sli and pg_tps rows. */
class L7MetricsTest {
  private final L7Metrics metrics = new L7Metrics(new L7Metrics.Limits(16, 4, 64, 16, 0), 3);

  private Connection connection(long tgid, boolean client, Protocol p) {
    Connection c =
        new Connection(
            0xffff0000L + tgid,
            tgid,
            client ? "10.0.0.1" : "10.0.0.2",
            client ? 40000 : 6379,
            client ? "10.0.0.2" : "10.0.0.1",
            client ? 6379 : 40000);
    c.client = client;
    c.instanceTgid = client ? tgid : 1;
    c.link =
        metrics.open(
            c, p, new ProcessInfo(tgid, client ? "redis-benchmark" : "redis-server", "", ""));
    return c;
  }

  private static Exchange exchange(String api, long latencyNs, Status status) {
    return new Exchange(Protocol.REDIS, api, api, 1_000_000, 1_000_000 + latencyNs, status, 0);
  }

  private List<Row> sample() {
    List<Row> rows = new ArrayList<>();
    metrics.sample(rows::add);
    return rows;
  }

  private static Row row(List<Row> rows, Object table, String role, String api) {
    return rows.stream()
        .filter(
            r ->
                r.table() == table
                    && r.key("l7_role").equals(role)
                    && (api == null || r.key("api").equals(api)))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void countsRequestsResponsesAndErrorsPerLinkAndApi() {
    Connection server = connection(100, false, Protocol.REDIS);
    metrics.io(server.link, false, 30);
    metrics.io(server.link, true, 5);
    metrics.exchange(server, exchange("GET", 20_000, Status.OK));
    metrics.exchange(server, exchange("GET", 40_000, Status.CLIENT_ERROR));
    metrics.exchange(server, exchange("SET", 0, Status.NO_RESPONSE));

    List<Row> rows = sample();

    Row link = row(rows, L7Tables.LINK, "server", null);
    assertThat(link.key("server_ip")).isEqualTo("10.0.0.2");
    assertThat(link.key("server_port")).isEqualTo("6379");
    assertThat(link.key("client_ip")).isEqualTo("10.0.0.1");
    assertThat(link.value("bytes_recv")).isEqualTo(30);
    assertThat(link.value("segs_sent")).isEqualTo(1);
    assertThat(link.label("comm")).isEqualTo("redis-server");
    Row rpc = row(rows, L7Tables.RPC, "server", null);
    assertThat(rpc.value("req_count")).isEqualTo(3);
    assertThat(rpc.value("resp_count")).isEqualTo(2);
    assertThat(rpc.value("err_count")).isEqualTo(1);
    assertThat(rpc.value("err_ratio")).isEqualTo(0.5);
    assertThat(rpc.value("latency_sum")).isEqualTo(60_000);
    assertThat(rpc.value("latency_avg")).isEqualTo(30_000);
    assertThat(rpc.histogram("latency").count()).isEqualTo(2);
    Row get = row(rows, L7Tables.RPC_API, "server", "GET");
    assertThat(get.value("client_err_count")).isEqualTo(1);
    assertThat(get.value("server_err_count")).isZero();
    Row sli =
        rows.stream()
            .filter(r -> r.table() == L7Tables.SLI && r.key("method").equals("GET"))
            .findFirst()
            .orElseThrow();
    assertThat(sli.key("tgid")).isEqualTo("1");
    assertThat(sli.key("app")).isEqualTo("redis");
    assertThat(sli.key("ins_id")).isEqualTo("10.0.0.2:6379");
    assertThat(sli.value("rtt_nsec")).isEqualTo(30_000);
    assertThat(sli.value("max_rtt_nsec")).isEqualTo(40_000);
  }

  @Test
  void keepsClientAndServerOfOneConnectionApartAndSliServerSideOnly() {
    Connection client = connection(200, true, Protocol.REDIS);
    Connection server = connection(100, false, Protocol.REDIS);
    metrics.exchange(client, exchange("PING", 30_000, Status.OK));
    metrics.exchange(server, exchange("PING", 10_000, Status.OK));

    List<Row> rows = sample();

    assertThat(row(rows, L7Tables.RPC, "client", null).value("req_count")).isEqualTo(1);
    assertThat(row(rows, L7Tables.RPC, "server", null).value("req_count")).isEqualTo(1);
    assertThat(row(rows, L7Tables.RPC, "client", null).key("tgid")).isEqualTo("200");
    assertThat(rows).filteredOn(r -> r.table() == L7Tables.SLI).hasSize(1);
  }

  @Test
  void latencyHistogramGivesTheMedianWithinTenPercent() {
    Connection c = connection(100, false, Protocol.REDIS);
    Random rnd = new Random(7);
    double[] latencies = new double[20_000];
    for (int i = 0; i < latencies.length; i++) {
      latencies[i] = Math.exp(Math.log(50_000) + rnd.nextGaussian()); // log-normal around 50 us
      metrics.exchange(c, exchange("GET", (long) latencies[i], Status.OK));
    }
    java.util.Arrays.sort(latencies);
    double median = latencies[latencies.length / 2] / 1e9;

    Histogram h = row(sample(), L7Tables.RPC, "server", null).histogram("latency");

    assertThat(h.quantile(0.5)).isCloseTo(median, within(median * 0.10));
    assertThat(h.upperBounds().length)
        .as("8 buckets per power of two from 1 us to 4 s")
        .isGreaterThan(8 * 21);
  }

  @Test
  void periodGaugesComeFromTheDifferenceAndCountersStayCumulative() throws Exception {
    Connection c = connection(100, false, Protocol.REDIS);
    metrics.exchange(c, exchange("GET", 1_000, Status.OK));
    sample();
    metrics.exchange(c, exchange("GET", 3_000, Status.SERVER_ERROR));
    Thread.sleep(20);

    Row rpc = row(sample(), L7Tables.RPC, "server", null);

    assertThat(rpc.value("req_count")).isEqualTo(2);
    assertThat(rpc.value("latency_avg")).isEqualTo(3_000);
    assertThat(rpc.value("err_ratio")).isEqualTo(1.0);
    assertThat(rpc.value("throughput_req")).isBetween(1.0, 1.0 / 0.019);
  }

  @Test
  void aClosedLinkIsEmittedOnceMoreThenForgotten() {
    Connection c = connection(100, false, Protocol.REDIS);
    metrics.exchange(c, exchange("GET", 1_000, Status.OK));
    metrics.closed(c);

    assertThat(sample())
        .filteredOn(r -> r.table() == L7Tables.RPC)
        .singleElement()
        .satisfies(r -> assertThat(r.value("req_count")).isEqualTo(1));
    assertThat(sample()).filteredOn(r -> r.table() == L7Tables.RPC).isEmpty();
  }

  @Test
  void boundsLinksAndApis() {
    for (int i = 0; i < 20; i++) {
      connection(1000 + i, true, Protocol.REDIS);
    }
    Connection c = connection(5, false, Protocol.REDIS);
    for (int i = 0; i < 10; i++) {
      metrics.exchange(c, exchange("CMD" + i, 1_000, Status.OK));
    }

    assertThat(metrics.health()).containsEntry("links", 16L).containsEntry("links_dropped", 5L);
    assertThat(c.link).isNull();
    Connection kept = connection(1000, true, Protocol.REDIS); // an existing link still counts
    for (int i = 0; i < 10; i++) {
      metrics.exchange(kept, exchange("CMD" + i, 1_000, Status.OK));
    }
    assertThat(sample())
        .filteredOn(r -> r.table() == L7Tables.RPC_API && r.key("tgid").equals("1000"))
        .extracting(r -> r.key("api"))
        .containsExactlyInAnyOrder("CMD0", "CMD1", "CMD2", "CMD3", "OTHER");
  }

  @Test
  void countsPostgresCommitsPerServerInstance() {
    Connection server = connection(300, false, Protocol.PGSQL);
    metrics.exchange(
        server,
        new Exchange(Protocol.PGSQL, "UPDATE", "update t set v = 1", 0, 5_000, Status.OK, 1));
    metrics.commits(server, "", 1, 6_000);

    Row tps = sample().stream().filter(r -> r.table() == L7Tables.PG_TPS).findFirst().orElseThrow();

    assertThat(tps.value("commit_count")).isEqualTo(2);
    assertThat(tps.key("app")).isEqualTo("postgresql");
  }

  @Test
  void keepsTheSlowestRequestsOfAPeriodWithLiteralsMasked() {
    Connection server = connection(300, false, Protocol.PGSQL);
    for (int i = 1; i <= 10; i++) {
      metrics.exchange(
          server,
          new Exchange(
              Protocol.PGSQL,
              "SELECT",
              "select * from t where id = " + i + " and n = 'x'",
              0,
              i * 1_000_000L,
              Status.OK,
              0));
    }
    sample();

    List<SlowRequest> slow = metrics.slowRequests();

    assertThat(slow)
        .extracting(SlowRequest::latencyNs)
        .containsExactly(10_000_000L, 9_000_000L, 8_000_000L);
    assertThat(slow.get(0).text()).isEqualTo("select * from t where id = ? and n = ?");
    assertThat(slow.get(0).server()).isEqualTo("10.0.0.2:6379");
    assertThat(slow.get(0).comm()).isEqualTo("redis-server");
  }
}
