package io.gala.agent.probe.tcp;

import io.gala.agent.probe.ProcessInfo;
import io.gala.agent.table.Histogram;
import io.gala.agent.table.LogLinearBuckets;
import io.gala.agent.table.LogLinearBuckets.Range;
import io.gala.agent.table.Row;
import io.gala.agent.table.TableDef;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Turns one kernel record into the rows of its connection: one {@code tcp_link} row and one {@code
 * tcp_drop} row per drop reason. Pure logic (no kernel, no /proc), so that a unit test drives it.
 *
 * <p>Corrections applied to the kernel's raw counters, so that bytes are payload bytes as the
 * application wrote and read them: {@code tx_bytes = bytes_sent - bytes_retrans} (bytes_acked would
 * count the SYN and the FIN), {@code rx_bytes = bytes_received - 1} once the peer's FIN arrived.
 */
final class LinkRows {
  /**
   * srtt slots are octaves of microseconds (tcp.h TCP_SRTT_SLOTS): buckets 16 us .. 67 s, one per
   * octave.
   */
  static final Range SRTT_RANGE = new Range(8, (1L << 26) - 1, 1, 1e6);

  /** Connect latency in nanoseconds, one bucket per octave from 1 us to 4 s. */
  static final Range CONNECT_RANGE = Range.nanosToSeconds(1);

  private LinkRows() {}

  static String role(int role) {
    return switch (role) {
      case TcpRecord.Link.CLIENT -> "client";
      case TcpRecord.Link.SERVER -> "server";
      default -> "unknown";
    };
  }

  /**
   * Which event counters the loaded programs maintain: a counter whose program is not loaded
   * (switched off by sub-probe, or missing from the kernel) is left unset rather than reported as
   * 0.
   */
  record Coverage(boolean drops, boolean resets, boolean zeroWindows) {
    static final Coverage ALL = new Coverage(true, true, true);
  }

  /** Emits the connection's rows: tcp_link, then tcp_drop per reason in dropsByReason. */
  static void emit(
      TcpRecord r,
      long tgid,
      ProcessInfo info,
      Map<String, Long> dropsByReason,
      Consumer<Row> sink) {
    emit(r, r.tuple(), tgid, info, dropsByReason, Coverage.ALL, sink);
  }

  /** As above, with the record's tuple already formatted (one formatting per record per sample). */
  static void emit(
      TcpRecord r,
      Tuple t,
      long tgid,
      ProcessInfo info,
      Map<String, Long> dropsByReason,
      Coverage coverage,
      Consumer<Row> sink) {
    Row.Builder link = keyed(TcpLinkTable.TCP_LINK, r, t, tgid, info);
    long drops = 0;
    for (long n : dropsByReason.values()) {
      drops += n;
    }
    link.set("rx_bytes", Math.max(0, r.bytesReceived() - (r.finReceived() ? 1 : 0)))
        .set("tx_bytes", Math.max(0, r.bytesSent() - r.bytesRetrans()))
        .set("segs_in", r.segsIn())
        .set("segs_out", r.segsOut())
        .set("retran_packets", r.totalRetrans())
        .set("srtt", r.srttUs())
        .set("snd_cwnd", r.sndCwnd())
        .set("lost_out", r.lostOut())
        .set("sacked_out", r.sackedOut())
        .set("sk_drops", r.skDrops());
    if (coverage.drops()) {
      link.set("drops", drops);
    }
    if (coverage.resets()) {
      link.set("send_rsts", r.link().rstSent()).set("receive_rsts", r.link().rstRecv());
    }
    if (coverage.zeroWindows()) {
      link.set("zero_rcv_wnd_count", r.link().zeroRcvWnd())
          .set("zero_snd_wnd_count", r.link().zeroSndWnd());
    }
    if (r.hz() > 0) {
      link.set("rto", r.rtoJiffies() * 1_000_000.0 / r.hz());
    }
    if (r.link().srttCount() > 0) {
      link.histogram("srtt_seconds", srttHistogram(r.link()));
    }
    if (r.link().role() == TcpRecord.Link.CLIENT) {
      link.set("connect_failed", r.link().connectFailed() ? 1 : 0);
      if (r.link().connectNs() > 0) {
        link.histogram("syn_srtt_seconds", single(r.link().connectNs(), CONNECT_RANGE));
      }
    }
    sink.accept(link.build());
    dropsByReason.forEach(
        (reason, n) ->
            sink.accept(
                keyed(TcpLinkTable.TCP_DROP, r, t, tgid, info)
                    .key("reason", reason)
                    .set("packets", n)
                    .build()));
  }

  private static Row.Builder keyed(
      TableDef table, TcpRecord r, Tuple t, long tgid, ProcessInfo info) {
    String local = t.localIp();
    String remote = t.remoteIp();
    boolean server = r.link().role() == TcpRecord.Link.SERVER;
    return table
        .row()
        .key("tgid", tgid)
        .key("role", role(r.link().role()))
        .key("client_ip", server ? remote : local)
        .key("server_ip", server ? local : remote)
        .key("client_port", server ? r.rport() : r.lport())
        .key("server_port", server ? r.lport() : r.rport())
        .key("protocol", r.family())
        .label("comm", info.comm())
        .label("cmdline", info.cmdline())
        .label("container_id", info.containerId())
        .label("netns", r.link().netns());
  }

  /**
   * Octave slot k of the kernel (tcp.bpf.c) is full log-linear slot 8k+7, whose top is 2^(k+3) us.
   */
  static Histogram srttHistogram(TcpRecord.Link l) {
    long[] slots = new long[LogLinearBuckets.SLOTS];
    long[] octaves = l.srttSlots();
    for (int k = 0; k < octaves.length; k++) {
      slots[k * LogLinearBuckets.SUB + LogLinearBuckets.SUB - 1] += octaves[k];
    }
    return LogLinearBuckets.toHistogram(slots, l.srttSumUs(), l.srttCount(), SRTT_RANGE);
  }

  /** A histogram of one observation, in the kernel's slot layout. */
  static Histogram single(long raw, Range range) {
    long[] slots = new long[LogLinearBuckets.SLOTS];
    slots[LogLinearBuckets.slot(raw)] = 1;
    return LogLinearBuckets.toHistogram(slots, raw, 1, range);
  }
}
