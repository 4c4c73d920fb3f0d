package io.gala.agent.probe.socket;

import io.gala.agent.net.IpText;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Text form of kernel socket addresses as gala prints them everywhere: IPv4 dotted, IPv6 in the RFC
 * 5952 short form, IPv4-mapped IPv6 ({@code ::ffff:a.b.c.d}) as plain IPv4, so that a dual-stack
 * socket and the IPv4 peers it talks to meet on the same text.
 */
final class Addresses {
  private Addresses() {}

  /**
   * The 16-byte kernel field for an address printed by {@link #format}: IPv4 in the first 4 bytes
   * for AF_INET, IPv4-mapped for an IPv4 text of an AF_INET6 socket.
   */
  static byte[] parse(int family, String ip) {
    byte[] a;
    try {
      a = InetAddress.getByName(ip).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IP address literal: " + ip, e);
    }
    byte[] out = new byte[Layouts.ADDR_LEN];
    if (a.length == 16) {
      System.arraycopy(a, 0, out, 0, 16);
    } else if (family == Layouts.AF_INET) {
      System.arraycopy(a, 0, out, 0, 4);
    } else {
      out[10] = (byte) 0xff;
      out[11] = (byte) 0xff;
      System.arraycopy(a, 0, out, 12, 4);
    }
    return out;
  }

  /**
   * The address in a (at least) 16-byte field of a socket of this family (IPv4 in the first 4
   * bytes).
   */
  static String format(int family, byte[] a) {
    return IpText.format(family == Layouts.AF_INET, a);
  }
}
