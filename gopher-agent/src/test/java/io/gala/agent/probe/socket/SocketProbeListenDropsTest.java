package io.gala.agent.probe.socket;

import static io.gala.agent.probe.socket.SocketNamespaces.A;
import static io.gala.agent.probe.socket.SocketNamespaces.IP_A;
import static io.gala.agent.probe.socket.SocketNamespaces.find;
import static io.gala.agent.probe.socket.SocketNamespaces.value;
import static org.assertj.core.api.Assertions.assertThat;

import io.gala.agent.probe.Scope;
import io.gala.agent.table.Row;
import io.gala.agent.testing.KernelTest;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A listener with backlog 1 that never accepts, in its own namespace, under a storm of connects
 * from the same namespace: its listen drops, their split by cause, passive opens and SYN(-ACK)
 * retransmits against the namespace's own counters (nstat), its queues against ss.
 */
@KernelTest
class SocketProbeListenDropsTest {
  private static final int PORT = 47401;
  private static final List<String> COUNTERS =
      List.of(
          "TcpExtListenDrops",
          "TcpExtListenOverflows",
          "TcpPassiveOpens",
          "TcpActiveOpens",
          "TcpExtTCPSynRetrans",
          "TcpExtTCPReqQFullDrop");
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
  void listenDropsOfANeverAcceptingListenerEqualTheNamespaceCounters() throws Exception {
    // TCP_DEFER_ACCEPT: a handshake completes only with the client's first data, after the accept
    // queue
    // has filled, so that some requests overflow at the final ACK (TCP_LISTEN_OVERFLOW), most at
    // the SYN;
    // after its 1 s the listener retransmits the SYN-ACKs of requests still waiting.
    Process listener = ns.listener(A, IP_A, PORT, 1, 1);
    try (SocketProbe probe = new SocketProbe()) {
      probe.start(SocketNamespaces.context(Scope.HOST));
      Map<String, Long> before = SocketNamespaces.nstatSettled(A, COUNTERS);
      List<Row> first = SocketNamespaces.sample(probe);
      long storm = ns.python(A, SocketNamespaces.STORM, IP_A, "" + PORT, "40", "3");
      Map<String, Long> after = SocketNamespaces.nstatSettled(A, COUNTERS);
      List<Row> last = SocketNamespaces.sample(probe);
      Map<String, Long> delta = delta(before, after);

      Predicate<Row> server =
          r -> r.key("role").equals("server") && r.key("server_port").equals("" + PORT);
      Row s0 = find(first, "endpoint_tcp", server);
      Row s1 = find(last, "endpoint_tcp", server);
      assertThat(s1).as("endpoint_tcp row of the listener").isNotNull();
      assertThat(s1.key("tgid")).isEqualTo("" + listener.pid());
      assertThat(s1.key("server_ip")).isEqualTo(IP_A);
      assertThat(delta.get("TcpExtListenDrops")).as("storm caused listen drops").isPositive();
      assertThat(value(s1, "listendrop") - value(s0, "listendrop"))
          .isEqualTo((double) delta.get("TcpExtListenDrops"));
      assertThat(value(s1, "accept_overflow") - value(s0, "accept_overflow"))
          .isEqualTo((double) delta.get("TcpExtListenOverflows"));
      assertThat(value(s1, "syn_overflow") - value(s0, "syn_overflow"))
          .isEqualTo((double) delta.get("TcpExtTCPReqQFullDrop"));

      // The overflows by cause: at the final ACK (the kernel's TCP_LISTEN_OVERFLOW), at the SYN.
      double atAck =
          dropsAt(last, PORT, "TCP_LISTEN_OVERFLOW") - dropsAt(first, PORT, "TCP_LISTEN_OVERFLOW");
      double atSyn =
          dropsAt(last, PORT, "SYN_ACCEPT_QUEUE_FULL")
              - dropsAt(first, PORT, "SYN_ACCEPT_QUEUE_FULL");
      assertThat(atAck).as("overflows at the final ACK").isPositive();
      assertThat(atSyn).as("overflows at the SYN").isPositive();
      assertThat(atAck + atSyn).isEqualTo((double) delta.get("TcpExtListenOverflows"));

      assertThat(value(s1, "passive_open") - value(s0, "passive_open"))
          .isEqualTo((double) delta.get("TcpPassiveOpens"));
      Row client =
          find(
              last,
              "endpoint_tcp",
              r -> r.key("role").equals("client") && r.key("tgid").equals("" + storm));
      assertThat(client).as("endpoint_tcp row of the storm's connects").isNotNull();
      assertThat(value(client, "syn_sent")).isEqualTo((double) delta.get("TcpActiveOpens"));
      assertThat(value(s1, "retran_synacks") - value(s0, "retran_synacks"))
          .as("SYN-ACK retransmits")
          .isPositive();
      assertThat(
              value(client, "retran_syn")
                  + value(s1, "retran_synacks")
                  - value(s0, "retran_synacks"))
          .isEqualTo((double) delta.get("TcpExtTCPSynRetrans"));

      // Queues: two connections wait (backlog 1 admits two), as ss shows Recv-Q and Send-Q.
      String[] ss =
          SocketNamespaces.run("ip", "netns", "exec", A, "ss", "-Htln", "sport", "= :" + PORT)
              .trim()
              .split("\\s+");
      assertThat(value(s1, "accept_queue")).isEqualTo(Double.parseDouble(ss[1]));
      assertThat(value(s1, "accept_queue_limit")).isEqualTo(Double.parseDouble(ss[2]));
      assertThat(value(s1, "listen_sockets")).isEqualTo(1);
      assertThat(probe.health())
          .containsEntry("map_full/listeners", 0L)
          .containsEntry("map_full/clients", 0L)
          .containsEntry("iterator_failed", 0L);

      // Closed: one final row with the same counts, then none.
      SocketNamespaces.stop(listener);
      List<Row> closed = SocketNamespaces.sample(probe);
      Row fin = find(closed, "endpoint_tcp", server);
      assertThat(fin).as("final row of the closed listener").isNotNull();
      assertThat(value(fin, "listendrop")).isEqualTo(value(s1, "listendrop"));
      assertThat(value(fin, "listen_sockets")).isZero();
      assertThat(find(SocketNamespaces.sample(probe), "endpoint_tcp", server)).isNull();
    } finally {
      listener.destroyForcibly();
    }
  }

  @Test
  void withoutTheReceivingSocketInKfreeSkbTheFinalAckOverflowsAreFoundFromThePacket()
      throws Exception {
    // Kernels before 6.11 pass no rx_sk to kfree_skb (and before 6.13 no error to
    // tcp_retransmit_skb): the
    // probe then finds the listener from the dropped packet's destination. Both variants run side
    // by side.
    Process listener = ns.listener(A, IP_A, PORT + 1, 1, 1);
    Map<String, Integer> kernel66 = Map.of("kfree_skb", 3, "tcp_retransmit_skb", 2);
    try (SocketProbe current = new SocketProbe();
        SocketProbe older = new SocketProbe(Path.of("/proc"), kernel66::get)) {
      current.start(SocketNamespaces.context(Scope.HOST));
      older.start(SocketNamespaces.context(Scope.HOST));
      long storm = ns.python(A, SocketNamespaces.STORM, IP_A, "" + (PORT + 1), "40", "3");
      SocketNamespaces.nstatSettled(A, COUNTERS);
      List<Row> now = SocketNamespaces.sample(current);
      List<Row> old = SocketNamespaces.sample(older);
      double atAck = dropsAt(now, PORT + 1, "TCP_LISTEN_OVERFLOW");
      assertThat(atAck).as("overflows at the final ACK").isPositive();
      assertThat(dropsAt(old, PORT + 1, "TCP_LISTEN_OVERFLOW")).isEqualTo(atAck);
      Predicate<Row> client =
          r -> r.key("role").equals("client") && r.key("tgid").equals("" + storm);
      assertThat(value(find(old, "endpoint_tcp", client), "retran_syn"))
          .isEqualTo(value(find(now, "endpoint_tcp", client), "retran_syn"))
          .isPositive();
    } finally {
      listener.destroyForcibly();
    }
  }

  private static double dropsAt(List<Row> rows, int port, String reason) {
    return value(
        find(
            rows,
            "endpoint_tcp_drop",
            r -> r.key("server_port").equals("" + port) && r.key("reason").equals(reason)),
        "packets");
  }

  private static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
    Map<String, Long> d = new HashMap<>();
    COUNTERS.forEach(c -> d.put(c, after.getOrDefault(c, 0L) - before.getOrDefault(c, 0L)));
    return d;
  }
}
