package io.gala.agent.probe.tcp;

import jnr.ffi.Runtime;
import jnr.ffi.Struct;

/**
 * Mirror of {@code struct tcp_record} (tcp.h): one connection as the iterator or the close path
 * writes it. {@link TcpRecord#decode} reads records at these offsets; TcpLayoutTest checks them
 * against BTF.
 */
final class TcpRecordStruct extends Struct {
  /** TCP_ADDR_LEN of tcp.h. */
  static final int ADDR_LEN = 16;

  final Unsigned64 sock = new Unsigned64();
  final Unsigned64 ino = new Unsigned64();
  final Unsigned32 kind = new Unsigned32();
  final Unsigned32 family = new Unsigned32();
  final Unsigned32 state = new Unsigned32();
  final Unsigned32 hz = new Unsigned32();
  final Unsigned8[] laddr = array(new Unsigned8[ADDR_LEN]);
  final Unsigned8[] raddr = array(new Unsigned8[ADDR_LEN]);
  final Unsigned16 lport = new Unsigned16();
  final Unsigned16 rport = new Unsigned16();
  final Unsigned32 sock_flags = new Unsigned32();
  final Unsigned64 bytes_sent = new Unsigned64();
  final Unsigned64 bytes_retrans = new Unsigned64();
  final Unsigned64 bytes_received = new Unsigned64();
  final Unsigned32 segs_in = new Unsigned32();
  final Unsigned32 segs_out = new Unsigned32();
  final Unsigned32 total_retrans = new Unsigned32();
  final Unsigned32 srtt_us = new Unsigned32();
  final Unsigned32 rto_jiffies = new Unsigned32();
  final Unsigned32 snd_cwnd = new Unsigned32();
  final Unsigned32 sk_drops = new Unsigned32();
  final Unsigned32 lost_out = new Unsigned32();
  final Unsigned32 sacked_out = new Unsigned32();
  final Unsigned32 pad = new Unsigned32();
  final TcpLinkStruct link = inner(new TcpLinkStruct(getRuntime()));

  TcpRecordStruct(Runtime runtime) {
    super(runtime);
  }
}
