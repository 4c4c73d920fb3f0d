package io.gala.agent.probe.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.gala.agent.probe.Scope;
import io.gala.agent.table.Row;
import io.gala.agent.testing.KernelTest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@KernelTest
class TcpProbeBytesTest {
  private static final int PORT = 47101;
  private static final int CONNECTIONS = 20;
  private static final int REQUEST = 100_003;
  private static final int REPLY = 7_919;
  @RegisterExtension static final Namespaces ns = new Namespaces();

  @Test
  void countsEveryByteOfShortConnectionsClosedBeforeTheRead() throws Exception {
    try (TcpProbe probe = new TcpProbe()) {
      probe.start(Namespaces.context(Scope.HOST, Namespaces.running()));
      long server = ns.server(Namespaces.B, PORT, REPLY).pid();
      long client = ns.client(Namespaces.A, Namespaces.IP_B, PORT, CONNECTIONS, REQUEST, REPLY);
      // Every connection is closed on the client side now; the server's side closes on the client's
      // last
      // ACK. Nothing was read while they lived: all of it must come from the final records.
      Namespaces.Rows rows = new Namespaces.Rows();
      long deadline = System.currentTimeMillis() + 10_000;
      do {
        Thread.sleep(200);
        rows.sample(probe);
      } while (rows.sum("rx_bytes", "server", PORT) < (double) CONNECTIONS * REQUEST
          && System.currentTimeMillis() < deadline);

      List<Row> clients = links(rows, "client");
      List<Row> servers = links(rows, "server");
      assertThat(clients).hasSize(CONNECTIONS);
      assertThat(servers).hasSize(CONNECTIONS);
      assertThat(rows.sum("tx_bytes", "client", PORT)).isEqualTo((double) CONNECTIONS * REQUEST);
      assertThat(rows.sum("rx_bytes", "server", PORT)).isEqualTo((double) CONNECTIONS * REQUEST);
      assertThat(rows.sum("tx_bytes", "server", PORT)).isEqualTo((double) CONNECTIONS * REPLY);
      assertThat(rows.sum("rx_bytes", "client", PORT)).isEqualTo((double) CONNECTIONS * REPLY);
      // Owners: the process that did the I/O; namespaces: where each end lives.
      assertThat(clients)
          .allSatisfy(
              r -> {
                assertThat(r.key("tgid")).isEqualTo("" + client);
                assertThat(r.key("client_ip")).isEqualTo(Namespaces.IP_A);
                assertThat(r.key("server_ip")).isEqualTo(Namespaces.IP_B);
                assertThat(r.label("netns")).isEqualTo("" + Namespaces.inode(Namespaces.A));
                assertThat(r.value("connect_failed")).isZero();
                assertThat(r.histogram("syn_srtt_seconds").count()).isEqualTo(1);
              });
      assertThat(probe.health())
          .containsEntry("map_full/links", 0L)
          .containsEntry("events_lost", 0L)
          .containsEntry("events_lost_queue", 0L);
      assertThat(servers)
          .allSatisfy(
              r -> {
                assertThat(r.key("tgid")).isEqualTo("" + server);
                assertThat(r.label("netns")).isEqualTo("" + Namespaces.inode(Namespaces.B));
                assertThat(r.label("comm")).isEqualTo("python3");
              });
    }
  }

  private static List<Row> links(Namespaces.Rows rows, String role) {
    return rows.of("tcp_link").stream()
        .filter(r -> r.key("role").equals(role) && r.key("server_port").equals("" + PORT))
        .toList();
  }
}
