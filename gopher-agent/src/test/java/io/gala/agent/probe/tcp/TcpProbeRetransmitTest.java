package io.gala.agent.probe.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.gala.agent.probe.Scope;
import io.gala.agent.table.Row;
import io.gala.agent.testing.KernelTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Under random packet loss (nftables in the receiver's namespace), retransmitted segments summed
 * over the sender namespace's links equal that namespace's RetransSegs delta, and the drops
 * attributed to the receiver's links with reason NETFILTER_DROP equal the nft rule's own counter.
 */
@KernelTest
class TcpProbeRetransmitTest {
  private static final int PORT = 47104;
  private static final int CONNECTIONS = 8;
  private static final int SIZE = 400_000;
  private static final Pattern NFT_COUNTER = Pattern.compile("counter packets (\\d+)");
  @RegisterExtension static final Namespaces ns = new Namespaces();

  /** Runs after the namespaces exist (extensions' beforeAll first). */
  @BeforeAll
  static void randomDropInB() throws Exception {
    Path rules = Files.createTempFile("gt-tcp", ".nft");
    Files.writeString(
        rules,
        """
        table inet gt_tcp {
          chain input {
            type filter hook input priority 0; policy accept;
            ip saddr %s tcp dport %d numgen random mod 100 < 3 counter drop
          }
        }
        """
            .formatted(Namespaces.IP_A, PORT));
    try {
      Namespaces.run("ip", "netns", "exec", Namespaces.B, "nft", "-f", rules.toString());
    } finally {
      Files.delete(rules);
    }
  }

  /**
   * The table goes with the namespace; deleting it first keeps a failed namespace removal harmless.
   */
  @AfterAll
  static void removeDropRule() throws Exception {
    Namespaces.run("ip", "netns", "exec", Namespaces.B, "nft", "delete", "table", "inet", "gt_tcp");
  }

  @Test
  void countsRetransmittedSegmentsAsTheSenderNamespaceDoes() throws Exception {
    long a = Namespaces.inode(Namespaces.A);
    long b = Namespaces.inode(Namespaces.B);
    long retransBefore = Namespaces.snmp(Namespaces.A, "Tcp", "RetransSegs");
    try (TcpProbe probe = new TcpProbe()) {
      probe.start(Namespaces.context(Scope.HOST, Namespaces.running()));
      ns.server(Namespaces.B, PORT, 0);
      ns.client(Namespaces.A, Namespaces.IP_B, PORT, CONNECTIONS, SIZE, 0);
      Namespaces.Rows rows = new Namespaces.Rows();
      long deadline = System.currentTimeMillis() + 20_000;
      do {
        Thread.sleep(250);
        rows.sample(probe);
      } while ((!allClosed(Namespaces.A) || !allClosed(Namespaces.B))
          && System.currentTimeMillis() < deadline);
      rows.sample(probe); // the final records of the last closes
      long retransDelta = Namespaces.snmp(Namespaces.A, "Tcp", "RetransSegs") - retransBefore;

      double agentRetrans =
          rows.of("tcp_link").stream()
              .filter(r -> r.label("netns").equals("" + a))
              .mapToDouble(r -> r.value("retran_packets"))
              .sum();
      assertThat(retransDelta).as("3 %% loss must cause retransmits").isPositive();
      assertThat(agentRetrans).isEqualTo((double) retransDelta);
      assertThat(rows.sum("rx_bytes", "server", PORT))
          .as("every byte arrived")
          .isEqualTo((double) CONNECTIONS * SIZE);

      Matcher m =
          NFT_COUNTER.matcher(
              Namespaces.run(
                  "ip", "netns", "exec", Namespaces.B, "nft", "list", "table", "inet", "gt_tcp"));
      assertThat(m.find()).isTrue();
      long nftDropped = Long.parseLong(m.group(1));
      double agentDropped =
          rows.of("tcp_drop").stream()
              .filter(
                  r ->
                      r.label("netns").equals("" + b)
                          && r.key("reason").equals("NETFILTER_DROP")
                          && r.key("server_port").equals("" + PORT))
              .mapToDouble(r -> r.value("packets"))
              .sum();
      assertThat(nftDropped).isPositive();
      assertThat(agentDropped).isEqualTo((double) nftDropped);
      // drops (all reasons) is the sum of the link's tcp_drop rows; other reasons (a duplicate
      // segment
      // after a spurious retransmit: TCP_OLD_DATA) may add to the filter's drops.
      double allReasons =
          rows.of("tcp_drop").stream()
              .filter(
                  r -> r.label("netns").equals("" + b) && r.key("server_port").equals("" + PORT))
              .mapToDouble(r -> r.value("packets"))
              .sum();
      assertThat(
              rows.of("tcp_link").stream()
                  .filter(
                      r ->
                          r.label("netns").equals("" + b) && r.key("server_port").equals("" + PORT))
                  .mapToDouble((Row r) -> r.value("drops"))
                  .sum())
          .isEqualTo(allReasons)
          .isGreaterThanOrEqualTo((double) nftDropped);
    }
  }

  /** No connection of the test left in the namespace but TIME-WAIT ones, whose sockets are done. */
  private static boolean allClosed(String netns) throws Exception {
    String out =
        Namespaces.run(
            "ip",
            "netns",
            "exec",
            netns,
            "ss",
            "-tanH",
            "state",
            "all",
            "( sport = :" + PORT + " or dport = :" + PORT + " )");
    return out.lines()
        .allMatch(l -> l.isBlank() || l.startsWith("LISTEN") || l.startsWith("TIME-WAIT"));
  }
}
