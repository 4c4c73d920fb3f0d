package io.gala.agent.probe.socket;

import static io.gala.agent.probe.socket.SocketNamespaces.A;
import static io.gala.agent.probe.socket.SocketNamespaces.B;
import static io.gala.agent.probe.socket.SocketNamespaces.IP_A;
import static io.gala.agent.probe.socket.SocketNamespaces.find;
import static io.gala.agent.probe.socket.SocketNamespaces.value;
import static org.assertj.core.api.Assertions.assertThat;

import io.gala.agent.probe.Scope;
import io.gala.agent.table.Row;
import io.gala.agent.testing.KernelTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Client endpoints, listeners that start after the probe (wildcard, dual-stack, SO_REUSEPORT
 * groups) and a probe scoped to one namespace, against the namespaces' counters and /proc.
 */
@KernelTest
class SocketProbeEndpointsTest {
  private static final int WILDCARD_PORT = 47411;
  private static final int DUAL_STACK_PORT = 47412;
  private static final int CLOSED_PORT = 47413;
  private static final int REUSEPORT_PORT = 47414;
  private static final int SCOPE_PORT = 47415;
  private static final List<String> COUNTERS =
      List.of("TcpActiveOpens", "TcpAttemptFails", "TcpPassiveOpens");
  private static SocketNamespaces ns;

  @BeforeAll
  static void namespaces() throws Exception {
    ns = new SocketNamespaces();
  }

  @AfterAll
  static void cleanUp() throws Exception {
    ns.close();
  }

  @Test
  void countsConnectsOfAProcessAndPassiveOpensOfListenersStartedLater() throws Exception {
    int opened = 5;
    int refused = 3;
    try (SocketProbe probe = new SocketProbe()) {
      probe.start(SocketNamespaces.context(Scope.HOST));
      Process wildcard = ns.server(A, "0.0.0.0", WILDCARD_PORT, 1);
      Process dualStack = ns.server(A, "::", DUAL_STACK_PORT, 1);
      Map<String, Long> beforeA = SocketNamespaces.nstat(A);
      Map<String, Long> beforeB = SocketNamespaces.nstat(B);
      long client =
          ns.python(
              B,
              """
          import socket, sys
          ip = sys.argv[1]
          for port, n in ((int(sys.argv[2]), int(sys.argv[5])), (int(sys.argv[3]), int(sys.argv[5])),
                          (int(sys.argv[4]), int(sys.argv[6]))):
              for i in range(n):
                  try:
                      socket.create_connection((ip, port), timeout=5).close()
                  except ConnectionRefusedError:
                      pass
          """,
              IP_A,
              "" + WILDCARD_PORT,
              "" + DUAL_STACK_PORT,
              "" + CLOSED_PORT,
              "" + opened,
              "" + refused);
      Map<String, Long> afterA = SocketNamespaces.nstatSettled(A, COUNTERS);
      Map<String, Long> afterB = SocketNamespaces.nstatSettled(B, COUNTERS);
      List<Row> rows = SocketNamespaces.sample(probe);

      Row toWildcard = clientRow(rows, client, WILDCARD_PORT);
      Row toDualStack = clientRow(rows, client, DUAL_STACK_PORT);
      Row toClosed = clientRow(rows, client, CLOSED_PORT);
      assertThat(value(toWildcard, "active_open")).isEqualTo(opened);
      assertThat(value(toDualStack, "active_open")).isEqualTo(opened);
      assertThat(value(toClosed, "active_open")).isZero();
      assertThat(value(toClosed, "active_open_failed"))
          .isEqualTo((double) (afterB.get("TcpAttemptFails") - beforeB.get("TcpAttemptFails")))
          .isEqualTo(refused);
      assertThat(
              value(toWildcard, "syn_sent")
                  + value(toDualStack, "syn_sent")
                  + value(toClosed, "syn_sent"))
          .isEqualTo((double) (afterB.get("TcpActiveOpens") - beforeB.get("TcpActiveOpens")));
      assertThat(toWildcard.key("client_ip")).isEqualTo(SocketNamespaces.IP_B);
      assertThat(toWildcard.key("server_ip")).isEqualTo(IP_A);

      Row wild = serverRow(rows, WILDCARD_PORT);
      Row dual = serverRow(rows, DUAL_STACK_PORT);
      assertThat(wild.key("server_ip")).isEqualTo("0.0.0.0");
      assertThat(wild.key("tgid")).isEqualTo("" + wildcard.pid());
      assertThat(dual.key("server_ip")).isEqualTo("::");
      assertThat(dual.key("protocol")).isEqualTo("10");
      assertThat(dual.key("tgid")).isEqualTo("" + dualStack.pid());
      assertThat(value(wild, "passive_open") + value(dual, "passive_open"))
          .isEqualTo((double) (afterA.get("TcpPassiveOpens") - beforeA.get("TcpPassiveOpens")))
          .isEqualTo(2 * opened);
      assertThat(value(wild, "passive_open")).isEqualTo(opened);

      // The client process exits: its rows are reported once more, then dropped from the kernel
      // map.
      assertThat(Files.exists(Path.of("/proc", "" + client))).isFalse();
      assertThat(clientRows(SocketNamespaces.sample(probe), client)).isEmpty();
    }
  }

  @Test
  void reusePortSocketsOfSeveralProcessesAreOneEndpointOfTheirProcessGroup() throws Exception {
    try (SocketProbe probe = new SocketProbe()) {
      probe.start(SocketNamespaces.context(Scope.HOST));
      Process first = ns.server(A, IP_A, REUSEPORT_PORT, 2);
      Process second = ns.server(A, IP_A, REUSEPORT_PORT, 1);
      ns.python(B, SocketNamespaces.CONNECTS, IP_A, "" + REUSEPORT_PORT, "6");
      // Owners come from /proc, rescanned at most every 10 s when an unknown socket appears.
      Thread.sleep(10_500);
      Row row = serverRow(SocketNamespaces.sample(probe), REUSEPORT_PORT);
      assertThat(value(row, "listen_sockets")).isEqualTo(3);
      assertThat(value(row, "passive_open")).isEqualTo(6);
      assertThat(row.label("multi")).isEqualTo("1");
      long lower = Math.min(first.pid(), second.pid());
      String stat = Files.readString(Path.of("/proc", "" + lower, "stat"));
      String pgid = stat.substring(stat.lastIndexOf(')') + 2).split(" ")[2];
      assertThat(row.key("tgid")).isEqualTo(pgid);
    }
  }

  @Test
  void probeScopedToANamespaceReportsOnlyItsEndpoints() throws Exception {
    ns.server(A, IP_A, SCOPE_PORT, 1);
    ns.server(B, SocketNamespaces.IP_B, SCOPE_PORT, 1);
    long inodeA = SocketNamespaces.inode(A);
    try (SocketProbe probe = new SocketProbe()) {
      probe.start(SocketNamespaces.context(new Scope(inodeA)));
      ns.python(B, SocketNamespaces.CONNECTS, IP_A, "" + SCOPE_PORT, "2");
      ns.python(A, SocketNamespaces.CONNECTS, SocketNamespaces.IP_B, "" + SCOPE_PORT, "2");
      List<Row> rows = SocketNamespaces.sample(probe);
      assertThat(rows).isNotEmpty().allMatch(r -> r.label("netns").equals("" + inodeA));
      assertThat(value(serverRow(rows, SCOPE_PORT), "passive_open")).isEqualTo(2);
      assertThat(rows)
          .anyMatch(
              r -> r.key("role").equals("client") && r.key("server_port").equals("" + SCOPE_PORT));
    }
  }

  private static Row serverRow(List<Row> rows, int port) {
    Row r =
        find(
            rows,
            "endpoint_tcp",
            x -> x.key("role").equals("server") && x.key("server_port").equals("" + port));
    assertThat(r).as("endpoint_tcp row of the listener on " + port).isNotNull();
    return r;
  }

  private static Row clientRow(List<Row> rows, long tgid, int port) {
    Row r =
        find(
            rows,
            "endpoint_tcp",
            x ->
                x.key("role").equals("client")
                    && x.key("tgid").equals("" + tgid)
                    && x.key("server_port").equals("" + port));
    assertThat(r).as("endpoint_tcp row of " + tgid + "'s connects to " + port).isNotNull();
    return r;
  }

  private static List<Row> clientRows(List<Row> rows, long tgid) {
    return rows.stream()
        .filter(r -> r.key("role").equals("client") && r.key("tgid").equals("" + tgid))
        .toList();
  }
}
