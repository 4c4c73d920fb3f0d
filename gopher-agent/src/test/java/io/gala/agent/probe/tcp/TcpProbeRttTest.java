package io.gala.agent.probe.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;
import static org.assertj.core.data.Percentage.withPercentage;

import io.gala.agent.probe.Scope;
import io.gala.agent.table.Row;
import io.gala.agent.testing.KernelTest;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** srtt as the agent reads it agrees with ss -ti, which reads the same tcp_sock field. */
@KernelTest
class TcpProbeRttTest {
  private static final int BULK_PORT = 47102;
  private static final int LOOPBACK_PORT = 47103;
  private static final Pattern SS_RTT = Pattern.compile("\\brtt:([0-9.]+)/");
  @RegisterExtension static final Namespaces ns = new Namespaces();

  @Test
  void srttAgreesWithSsThroughAFullTbfQueue() throws Exception {
    // 20 Mbit/s with up to 60 ms of queue: cubic keeps it full, so the RTT is tens of milliseconds.
    Namespaces.run(
        "tc",
        "-n",
        Namespaces.A,
        "qdisc",
        "add",
        "dev",
        Namespaces.VETH_A,
        "root",
        "tbf",
        "rate",
        "20mbit",
        "burst",
        "32kb",
        "latency",
        "60ms");
    try (TcpProbe probe = new TcpProbe()) {
      probe.start(
          Namespaces.context(new Scope(Namespaces.inode(Namespaces.A)), Namespaces.running()));
      ns.server(Namespaces.B, BULK_PORT, 0);
      Process bulk =
          ns.startClient(Namespaces.A, Namespaces.IP_B, BULK_PORT, 1, 40_000_000, 0, "cubic");
      long deadline = System.currentTimeMillis() + 10_000;
      while (!connected(Namespaces.A, Namespaces.IP_B, BULK_PORT)
          && System.currentTimeMillis() < deadline) {
        Thread.sleep(100);
      }
      Thread.sleep(1500); // cubic grows the window until the tbf queue is full
      List<double[]> pairs = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        Namespaces.Rows rows = new Namespaces.Rows();
        rows.sample(probe);
        double ss = ssRttMicros(Namespaces.A, Namespaces.IP_B, BULK_PORT);
        Row link = client(rows, BULK_PORT);
        pairs.add(new double[] {link.value("srtt"), ss});
        Thread.sleep(300);
      }
      bulk.destroyForcibly();
      assertThat(pairs)
          .allSatisfy(
              p -> {
                assertThat(p[1]).as("ss rtt through the tbf queue, us").isGreaterThan(10_000);
                assertThat(p[0])
                    .as("agent srtt vs ss %s us", p[1])
                    .isCloseTo(p[1], withPercentage(20));
              });
    } finally {
      Namespaces.run("tc", "-n", Namespaces.A, "qdisc", "del", "dev", Namespaces.VETH_A, "root");
    }
  }

  @Test
  void idleLoopbackSrttAgreesWithSsReadAtTheSameMoment() throws Exception {
    try (TcpProbe probe = new TcpProbe();
        ServerSocket server =
            new ServerSocket(LOOPBACK_PORT, 8, InetAddress.getLoopbackAddress())) {
      probe.start(Namespaces.context(Scope.HOST, Namespaces.running()));
      try (Socket client = new Socket(InetAddress.getLoopbackAddress(), LOOPBACK_PORT);
          Socket accepted = server.accept()) {
        OutputStream out = client.getOutputStream();
        InputStream in = accepted.getInputStream();
        OutputStream back = accepted.getOutputStream();
        InputStream reply = client.getInputStream();
        for (int i = 0; i < 50; i++) {
          out.write(i);
          out.flush();
          in.read();
          back.write(i);
          back.flush();
          reply.read();
        }
        Thread.sleep(300); // idle: no ACK in flight, srtt stands still
        Namespaces.Rows rows = new Namespaces.Rows();
        rows.sample(probe);
        double ss = ssRttMicros(null, "127.0.0.1", LOOPBACK_PORT);
        double agent = client(rows, LOOPBACK_PORT).value("srtt");
        assertThat(agent)
            .as("agent srtt vs ss %s us", ss)
            .isCloseTo(ss, offset(Math.max(0.2 * ss, 5.0)));
        assertThat(client(rows, LOOPBACK_PORT).key("tgid"))
            .isEqualTo("" + ProcessHandle.current().pid());
      }
    }
  }

  private static Row client(Namespaces.Rows rows, int port) {
    return rows.of("tcp_link").stream()
        .filter(r -> r.key("role").equals("client") && r.key("server_port").equals("" + port))
        .findFirst()
        .orElseThrow(
            () ->
                new AssertionError(
                    "no client tcp_link to port " + port + " in " + rows.latest.values()));
  }

  private static boolean connected(String netns, String ip, int port) throws Exception {
    return Namespaces.run(
            "ip",
            "netns",
            "exec",
            netns,
            "ss",
            "-tnH",
            "state",
            "established",
            "dst",
            ip + ":" + port)
        .contains(ip);
  }

  /** srtt of the connection to ip:port as ss -ti prints it (rtt:<srtt ms>/<rttvar ms>), in us. */
  private static double ssRttMicros(String netns, String ip, int port) throws Exception {
    List<String> cmd = new ArrayList<>();
    if (netns != null) {
      cmd.addAll(List.of("ip", "netns", "exec", netns));
    }
    cmd.addAll(List.of("ss", "-tinH", "dst", ip + ":" + port));
    String out = Namespaces.run(cmd.toArray(String[]::new));
    Matcher m = SS_RTT.matcher(out);
    assertThat(m.find()).as("rtt in ss output: %s", out).isTrue();
    return Double.parseDouble(m.group(1)) * 1000;
  }
}
