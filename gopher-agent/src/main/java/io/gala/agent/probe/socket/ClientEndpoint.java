package io.gala.agent.probe.socket;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A process's connections from one local address to one remote service (C {@code struct
 * client_key}): the client endpoint gala reports, as gala-gopher's endpoint probe keys its client
 * side (the local port left out, so that ephemeral ports do not make one endpoint per connection).
 */
record ClientEndpoint(
    long tgid, long netns, int family, String localIp, String remoteIp, int remotePort) {
  static final int SIZE = 48;

  /** Decodes a key of map clients (a native-order buffer). */
  static ClientEndpoint read(ByteBuffer b) {
    Layouts.ClientKey k = Layouts.CLIENT_KEY;
    byte[] l = new byte[Layouts.ADDR_LEN];
    byte[] r = new byte[Layouts.ADDR_LEN];
    b.get((int) k.laddr[0].offset(), l);
    b.get((int) k.raddr[0].offset(), r);
    int family = b.getShort((int) k.family.offset()) & 0xffff;
    return new ClientEndpoint(
        b.getInt((int) k.tgid.offset()) & 0xffffffffL,
        b.getInt((int) k.netns.offset()) & 0xffffffffL,
        family,
        Addresses.format(family, l),
        Addresses.format(family, r),
        b.getShort((int) k.rport.offset()) & 0xffff);
  }

  /** The C struct, as the kernel map keys it. */
  byte[] toBytes() {
    Layouts.ClientKey k = Layouts.CLIENT_KEY;
    ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.nativeOrder());
    b.putInt((int) k.tgid.offset(), (int) tgid);
    b.putInt((int) k.netns.offset(), (int) netns);
    b.putShort((int) k.family.offset(), (short) family);
    b.putShort((int) k.rport.offset(), (short) remotePort);
    b.put((int) k.laddr[0].offset(), Addresses.parse(family, localIp));
    b.put((int) k.raddr[0].offset(), Addresses.parse(family, remoteIp));
    return b.array();
  }
}
