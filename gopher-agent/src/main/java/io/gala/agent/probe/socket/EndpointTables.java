package io.gala.agent.probe.socket;

import io.gala.agent.table.TableDef;
import java.util.List;

/**
 * The tables of the {@code socket} probe, declared once: {@code endpoint_tcp} (one row per listen
 * address, role {@code server}, and per process and remote service it connects to, role {@code
 * client}; names of gala-gopher's endpoint probe where it has the metric) and {@code
 * endpoint_tcp_drop} (packets dropped at a listener, by cause).
 */
final class EndpointTables {
  private EndpointTables() {}

  static final String SERVER = "server";
  static final String CLIENT = "client";
  private static final String[] KEYS = {
    "tgid", "role", "client_ip", "server_ip", "server_port", "protocol"
  };
  private static final String[] LABELS = {"comm", "container_id", "netns", "multi"};

  static final TableDef ENDPOINT_TCP =
      TableDef.builder("endpoint_tcp")
          .keys(KEYS)
          .labels(LABELS)
          .counter(
              "listendrop",
              "",
              "Connection requests the listener dropped (tcp_listendrop): its share of TcpExtListenDrops")
          .counter(
              "accept_overflow",
              "",
              "Connection requests dropped for a full accept queue, at the SYN or at the final ACK: share of TcpExtListenOverflows")
          .counter(
              "syn_overflow",
              "",
              "SYNs dropped for a full SYN queue with syncookies off: share of TcpExtTCPReqQFullDrop")
          .counter(
              "passive_open",
              "",
              "Connections the listener's handshakes created (child sockets): share of TcpPassiveOpens")
          .counter("passive_open_failed", "", "Child sockets closed before they were established")
          .counter("retran_synacks", "", "SYN-ACKs retransmitted by the listener")
          .gauge(
              "accept_queue",
              "",
              "Connections waiting in the accept queue (ss Recv-Q), summed over the address's sockets")
          .gauge(
              "accept_queue_limit",
              "",
              "Accept queue limit: listen() backlog capped by net.core.somaxconn (ss Send-Q)")
          .gauge(
              "syn_queue", "", "Handshakes in progress: request sockets waiting for the final ACK")
          .gauge(
              "listen_sockets",
              "",
              "Sockets listening on the address (more than 1 with SO_REUSEPORT)")
          .counter(
              "active_open", "", "Connects of the process to this service that were established")
          .counter(
              "active_open_failed",
              "",
              "Connects that failed: refused, timed out or unreachable (its share of TcpAttemptFails)")
          .counter("syn_sent", "", "Connects that sent a SYN: share of TcpActiveOpens")
          .counter("retran_syn", "", "SYNs retransmitted by the process's connects to this service")
          .build();

  static final TableDef ENDPOINT_TCP_DROP =
      TableDef.builder("endpoint_tcp_drop")
          .keys(KEYS)
          .keys("reason")
          .labels(LABELS)
          .counter(
              "packets",
              "packets",
              "Packets dropped at the listener by cause: the kernel's skb drop reason, or SYN_ACCEPT_QUEUE_FULL, "
                  + "SYN_QUEUE_FULL, SYN_OTHER for SYNs the kernel drops without one")
          .build();

  static final List<TableDef> ALL = List.of(ENDPOINT_TCP, ENDPOINT_TCP_DROP);
}
