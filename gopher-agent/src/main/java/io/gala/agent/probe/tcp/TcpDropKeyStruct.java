package io.gala.agent.probe.tcp;

import jnr.ffi.Runtime;
import jnr.ffi.Struct;

/**
 * Mirror of {@code struct tcp_drop_key} (tcp.h): dropped packets by connection tuple and reason.
 */
final class TcpDropKeyStruct extends Struct {
  final Unsigned32 netns = new Unsigned32();
  final Unsigned32 reason = new Unsigned32();
  final Unsigned16 family = new Unsigned16();
  final Unsigned16 lport = new Unsigned16();
  final Unsigned16 rport = new Unsigned16();
  final Unsigned16 pad = new Unsigned16();
  final Unsigned8[] laddr = array(new Unsigned8[TcpRecordStruct.ADDR_LEN]);
  final Unsigned8[] raddr = array(new Unsigned8[TcpRecordStruct.ADDR_LEN]);

  TcpDropKeyStruct(Runtime runtime) {
    super(runtime);
  }
}
