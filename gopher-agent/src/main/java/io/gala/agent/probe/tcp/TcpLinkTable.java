package io.gala.agent.probe.tcp;

import io.gala.agent.table.TableDef;
import java.util.List;

/**
 * The tables of the {@code tcp} probe, declared once: {@code tcp_link} (one series set per
 * connection, keys as gala-gopher's tcp_link) and {@code tcp_drop} (the connection's dropped
 * packets by the kernel's drop reason). Names and units follow gala-gopher where it has the metric.
 */
public final class TcpLinkTable {
  private TcpLinkTable() {}

  private static final String[] LINK_KEYS = {
    "tgid", "role", "client_ip", "server_ip", "client_port", "server_port", "protocol"
  };
  private static final String[] LABELS = {"comm", "cmdline", "container_id", "netns"};

  public static final TableDef TCP_LINK =
      TableDef.builder("tcp_link")
          .keys(LINK_KEYS)
          .labels(LABELS)
          .counter(
              "rx_bytes", "bytes", "Payload bytes received in order (the peer's FIN not counted)")
          .counter(
              "tx_bytes",
              "bytes",
              "Payload bytes sent, first transmissions only (retransmitted bytes not counted)")
          .counter(
              "segs_in",
              "segments",
              "Segments received, pure ACKs included (tcp_sock segs_in, as ss -ti)")
          .counter(
              "segs_out",
              "segments",
              "Segments sent, pure ACKs and retransmissions included (tcp_sock segs_out)")
          .counter(
              "retran_packets",
              "segments",
              "Segments retransmitted, SYN retransmits included: this connection's share of RetransSegs")
          .gauge(
              "srtt",
              "us",
              "Smoothed round-trip time at the sample (tcp_sock srtt_us, as ss -ti rtt)")
          .histogram(
              "srtt_seconds", "seconds", "Smoothed round-trip time seen at each received segment")
          .gauge("rto", "us", "Retransmission timeout at the sample")
          .gauge("snd_cwnd", "segments", "Congestion window at the sample")
          .gauge("lost_out", "segments", "Segments presumed lost at the sample")
          .gauge("sacked_out", "segments", "Segments selectively acknowledged at the sample")
          .counter(
              "sk_drops",
              "packets",
              "Packets the socket itself dropped (sk_drops: receive buffer, backlog, filter)")
          .counter(
              "drops",
              "packets",
              "Packets of this connection the kernel dropped anywhere (skb:kfree_skb), all reasons; by reason in tcp_drop")
          .counter("send_rsts", "", "RST segments sent on this connection")
          .counter("receive_rsts", "", "RST segments received on this connection")
          .counter(
              "zero_rcv_wnd_count",
              "",
              "Times this host advertised a zero receive window (seen at the peer's next segment)")
          .counter(
              "zero_snd_wnd_count",
              "",
              "Times the peer advertised a zero window, stalling this host's sending")
          .histogram(
              "syn_srtt_seconds",
              "seconds",
              "Connect latency, SYN sent to ESTABLISHED (client side)")
          .counter(
              "connect_failed",
              "",
              "1 when the connection never established (SYN_SENT to CLOSE), client side")
          .build();

  public static final TableDef TCP_DROP =
      TableDef.builder("tcp_drop")
          .keys(LINK_KEYS)
          .keys("reason")
          .labels(LABELS)
          .counter(
              "packets",
              "packets",
              "Packets of this connection the kernel dropped with this reason (skb:kfree_skb, enum skb_drop_reason)")
          .build();

  public static final List<TableDef> ALL = List.of(TCP_LINK, TCP_DROP);
}
