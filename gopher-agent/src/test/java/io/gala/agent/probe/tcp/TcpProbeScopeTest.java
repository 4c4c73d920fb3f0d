package io.gala.agent.probe.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.gala.agent.probe.Scope;
import io.gala.agent.table.Row;
import io.gala.agent.testing.KernelTest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two probes scoped to two namespaces act as two hosts: each reports only its own end of a
 * connection.
 */
@KernelTest
class TcpProbeScopeTest {
  private static final int PORT = 47105;
  private static final int CONNECTIONS = 5;
  @RegisterExtension static final Namespaces ns = new Namespaces();

  @Test
  void probesScopedToTwoNamespacesReportOnlyTheirOwnConnections() throws Exception {
    long a = Namespaces.inode(Namespaces.A);
    long b = Namespaces.inode(Namespaces.B);
    try (TcpProbe inA = new TcpProbe();
        TcpProbe inB = new TcpProbe()) {
      inA.start(Namespaces.context(new Scope(a), Namespaces.running()));
      inB.start(Namespaces.context(new Scope(b), Namespaces.running()));
      ns.server(Namespaces.B, PORT, 1000);
      // A connection that stays open across samples, read live, and short ones read from final
      // records.
      Process open = ns.holdOpen(Namespaces.A, Namespaces.IP_B, PORT);
      ns.client(Namespaces.A, Namespaces.IP_B, PORT, CONNECTIONS, 1000, 1000);
      Namespaces.Rows rowsA = new Namespaces.Rows();
      Namespaces.Rows rowsB = new Namespaces.Rows();
      long deadline = System.currentTimeMillis() + 10_000;
      do {
        Thread.sleep(200);
        rowsA.sample(inA);
        rowsB.sample(inB);
      } while (links(rowsB).size() < CONNECTIONS + 1 && System.currentTimeMillis() < deadline);
      open.destroyForcibly();

      assertThat(links(rowsA))
          .hasSize(CONNECTIONS + 1)
          .allSatisfy(
              r -> {
                assertThat(r.key("role")).isEqualTo("client");
                assertThat(r.label("netns")).isEqualTo("" + a);
              });
      assertThat(links(rowsB))
          .hasSize(CONNECTIONS + 1)
          .allSatisfy(
              r -> {
                assertThat(r.key("role")).isEqualTo("server");
                assertThat(r.label("netns")).isEqualTo("" + b);
              });
      // Nothing from anywhere else: not the other namespace, not the host's own connections.
      assertThat(rowsA.latest.values())
          .allSatisfy(r -> assertThat(r.label("netns")).isEqualTo("" + a));
      assertThat(rowsB.latest.values())
          .allSatisfy(r -> assertThat(r.label("netns")).isEqualTo("" + b));
    }
  }

  private static List<Row> links(Namespaces.Rows rows) {
    return rows.of("tcp_link").stream()
        .filter(r -> r.key("server_port").equals("" + PORT))
        .toList();
  }
}
