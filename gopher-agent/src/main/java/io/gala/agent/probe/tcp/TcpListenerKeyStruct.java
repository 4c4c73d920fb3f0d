package io.gala.agent.probe.tcp;

import jnr.ffi.Runtime;
import jnr.ffi.Struct;

/** Mirror of {@code struct tcp_listener_key} (tcp.h): a listening port in a network namespace. */
final class TcpListenerKeyStruct extends Struct {
  final Unsigned32 netns = new Unsigned32();
  final Unsigned32 port = new Unsigned32();

  TcpListenerKeyStruct(Runtime runtime) {
    super(runtime);
  }
}
