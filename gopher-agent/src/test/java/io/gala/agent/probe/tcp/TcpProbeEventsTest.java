package io.gala.agent.probe.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.gala.agent.probe.Scope;
import io.gala.agent.table.Row;
import io.gala.agent.testing.KernelTest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * RSTs, failed connects, zero windows and connections older than the probe, against the kernel's
 * MIBs.
 */
@KernelTest
class TcpProbeEventsTest {
  private static final int ABORT_PORT = 47106;
  private static final int CLOSED_PORT = 47107;
  private static final int SLOW_PORT = 47108;
  private static final int OLD_PORT = 47109;
  @RegisterExtension static final Namespaces ns = new Namespaces();

  @Test
  void countsResetsOfAbortedConnectionsOnBothEnds() throws Exception {
    int n = 6;
    long outRstsBefore = Namespaces.snmp(Namespaces.A, "Tcp", "OutRsts");
    long estabResetsBefore = Namespaces.snmp(Namespaces.B, "Tcp", "EstabResets");
    try (TcpProbe probe = started(Scope.HOST)) {
      ns.server(Namespaces.B, ABORT_PORT, 0);
      // close() with SO_LINGER {on, 0}: tcp_disconnect() moves to CLOSE, then sends the RST.
      ns.python(
          Namespaces.A,
          """
          import socket, struct, sys, time
          for i in range(int(sys.argv[3])):
              c = socket.create_connection((sys.argv[1], int(sys.argv[2])))
              c.sendall(b'x' * 100)
              time.sleep(0.02)
              c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
              c.close()
          """,
          Namespaces.IP_B,
          "" + ABORT_PORT,
          "" + n);
      Namespaces.Rows rows = collect(probe, r -> r.sum("receive_rsts", "server", ABORT_PORT) >= n);
      assertThat(rows.sum("send_rsts", "client", ABORT_PORT))
          .isEqualTo((double) (Namespaces.snmp(Namespaces.A, "Tcp", "OutRsts") - outRstsBefore))
          .isEqualTo(n);
      assertThat(rows.sum("receive_rsts", "server", ABORT_PORT))
          .isEqualTo(
              (double) (Namespaces.snmp(Namespaces.B, "Tcp", "EstabResets") - estabResetsBefore));
    }
  }

  @Test
  void countsFailedConnectsToAClosedPort() throws Exception {
    int n = 4;
    long failsBefore = Namespaces.snmp(Namespaces.A, "Tcp", "AttemptFails");
    try (TcpProbe probe = started(new Scope(Namespaces.inode(Namespaces.A)))) {
      ns.python(
          Namespaces.A,
          """
          import socket, sys
          for i in range(int(sys.argv[3])):
              try:
                  socket.create_connection((sys.argv[1], int(sys.argv[2])))
                  sys.exit('connected to a closed port')
              except ConnectionRefusedError:
                  pass
          """,
          Namespaces.IP_B,
          "" + CLOSED_PORT,
          "" + n);
      Namespaces.Rows rows =
          collect(probe, r -> r.sum("connect_failed", "client", CLOSED_PORT) >= n);
      assertThat(rows.sum("connect_failed", "client", CLOSED_PORT))
          .isEqualTo((double) (Namespaces.snmp(Namespaces.A, "Tcp", "AttemptFails") - failsBefore))
          .isEqualTo(n);
      assertThat(rows.sum("receive_rsts", "client", CLOSED_PORT)).isEqualTo(n);
      assertThat(rows.sum("tx_bytes", "client", CLOSED_PORT)).isZero();
    }
  }

  @Test
  void countsZeroWindowsOfAReceiverThatStopsReading() throws Exception {
    long toZeroBefore = Namespaces.netstat(Namespaces.B, "TcpExt", "TCPToZeroWindowAdv");
    try (TcpProbe probe = started(Scope.HOST)) {
      // A receiver with a small buffer that reads nothing for a second, then everything.
      Process receiver =
          ns.spawn(
              Namespaces.B,
              "python3",
              "-c",
              """
          import socket, time
          s = socket.socket()
          s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
          s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
          s.bind(('0.0.0.0', %d))
          s.listen(1)
          print('ready', flush=True)
          c, _ = s.accept()
          time.sleep(1)
          while c.recv(1 << 16):
              pass
          c.close()
          """
                  .formatted(SLOW_PORT));
      // Connect only once it listens: a fixed wait loses to python's start-up on a loaded machine.
      String ready =
          new String(
              receiver.getInputStream().readNBytes(5), java.nio.charset.StandardCharsets.UTF_8);
      assertThat(ready).as("receiver in " + Namespaces.B + " listening").isEqualTo("ready");
      ns.client(Namespaces.A, Namespaces.IP_B, SLOW_PORT, 1, 2_000_000, 0);
      Namespaces.Rows rows =
          collect(probe, r -> r.sum("rx_bytes", "server", SLOW_PORT) >= 2_000_000);
      long toZero = Namespaces.netstat(Namespaces.B, "TcpExt", "TCPToZeroWindowAdv") - toZeroBefore;
      assertThat(toZero).as("the kernel advertised a zero window").isPositive();
      // Counted when the peer's next segment (a window probe) arrives: at most once per
      // advertisement.
      assertThat(rows.sum("zero_rcv_wnd_count", "server", SLOW_PORT))
          .isBetween(1.0, (double) toZero);
      assertThat(rows.sum("zero_snd_wnd_count", "client", SLOW_PORT))
          .isBetween(1.0, (double) toZero);
    }
  }

  @Test
  void reportsConnectionsThatExistedBeforeTheProbeWithTheirOwners() throws Exception {
    Process server = ns.server(Namespaces.B, OLD_PORT, 0);
    Process holder = ns.holdOpen(Namespaces.A, Namespaces.IP_B, OLD_PORT);
    try (TcpProbe inA = started(new Scope(Namespaces.inode(Namespaces.A)));
        TcpProbe inB = started(new Scope(Namespaces.inode(Namespaces.B)))) {
      Namespaces.Rows a = new Namespaces.Rows();
      Namespaces.Rows b = new Namespaces.Rows();
      a.sample(inA);
      b.sample(inB);
      Row client = one(a, "client");
      Row accepted = one(b, "server");
      // Idle since before the probe: owners come from /proc/<pid>/fd, roles from the listener.
      assertThat(client.key("tgid")).isEqualTo("" + holder.pid());
      assertThat(accepted.key("tgid")).isEqualTo("" + server.pid());
      assertThat(client.value("tx_bytes")).isEqualTo(10);
      assertThat(accepted.value("rx_bytes")).isEqualTo(10);
      assertThat(accepted.key("client_port")).isEqualTo(client.key("client_port"));
    } finally {
      holder.destroyForcibly();
    }
  }

  private static TcpProbe started(Scope scope) {
    TcpProbe probe = new TcpProbe();
    probe.start(Namespaces.context(scope, Namespaces.running()));
    return probe;
  }

  private static Namespaces.Rows collect(
      TcpProbe probe, java.util.function.Predicate<Namespaces.Rows> done) throws Exception {
    Namespaces.Rows rows = new Namespaces.Rows();
    long deadline = System.currentTimeMillis() + 10_000;
    do {
      Thread.sleep(200);
      rows.sample(probe);
    } while (!done.test(rows) && System.currentTimeMillis() < deadline);
    return rows;
  }

  private static Row one(Namespaces.Rows rows, String role) {
    List<Row> found =
        rows.of("tcp_link").stream()
            .filter(r -> r.key("role").equals(role) && r.key("server_port").equals("" + OLD_PORT))
            .toList();
    assertThat(found)
        .as("%s links to port %d in %s", role, OLD_PORT, rows.latest.values())
        .hasSize(1);
    return found.get(0);
  }
}
