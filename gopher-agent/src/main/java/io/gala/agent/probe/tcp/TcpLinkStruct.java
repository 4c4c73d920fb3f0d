package io.gala.agent.probe.tcp;

import jnr.ffi.Runtime;
import jnr.ffi.Struct;

/**
 * Mirror of {@code struct tcp_link} (tcp.h): what the kernel keeps per connection beside tcp_sock.
 */
final class TcpLinkStruct extends Struct {
  /** TCP_SRTT_SLOTS of tcp.h. */
  static final int SRTT_SLOTS = 24;

  final Unsigned32 tgid = new Unsigned32();
  final Unsigned32 role = new Unsigned32();
  final Unsigned32 flags = new Unsigned32();
  final Unsigned32 netns = new Unsigned32();
  final Unsigned64 syn_sent_ns = new Unsigned64();
  final Unsigned64 connect_ns = new Unsigned64();
  final Unsigned64 rst_sent = new Unsigned64();
  final Unsigned64 rst_recv = new Unsigned64();
  final Unsigned64 zero_rcv_wnd = new Unsigned64();
  final Unsigned64 zero_snd_wnd = new Unsigned64();
  final Unsigned64 srtt_sum_us = new Unsigned64();
  final Unsigned64 srtt_count = new Unsigned64();
  final Unsigned32[] srtt_slots = array(new Unsigned32[SRTT_SLOTS]);

  TcpLinkStruct(Runtime runtime) {
    super(runtime);
  }
}
