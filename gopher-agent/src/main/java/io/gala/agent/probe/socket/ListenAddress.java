package io.gala.agent.probe.socket;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A TCP listen address in one network namespace (C {@code struct listen_key}): the endpoint gala
 * reports for a listener. Sockets that share it (an {@code SO_REUSEPORT} group) are one endpoint.
 */
record ListenAddress(long netns, int family, String ip, int port) {
  static final int SIZE = 24;

  /** Decodes the struct at {@code at} of a native-order buffer. */
  static ListenAddress read(ByteBuffer b, int at) {
    Layouts.ListenKey l = Layouts.LISTEN_KEY;
    byte[] addr = new byte[Layouts.ADDR_LEN];
    b.get(at + (int) l.addr[0].offset(), addr);
    int family = b.getShort(at + (int) l.family.offset()) & 0xffff;
    return new ListenAddress(
        b.getInt(at + (int) l.netns.offset()) & 0xffffffffL,
        family,
        Addresses.format(family, addr),
        b.getShort(at + (int) l.port.offset()) & 0xffff);
  }

  /** The C struct, as the kernel map keys it. */
  byte[] toBytes() {
    Layouts.ListenKey l = Layouts.LISTEN_KEY;
    ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.nativeOrder());
    b.putInt((int) l.netns.offset(), (int) netns);
    b.putShort((int) l.family.offset(), (short) family);
    b.putShort((int) l.port.offset(), (short) port);
    b.put((int) l.addr[0].offset(), Addresses.parse(family, ip));
    return b.array();
  }

  @Override
  public String toString() {
    return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + port + " (netns " + netns + ")";
  }
}
