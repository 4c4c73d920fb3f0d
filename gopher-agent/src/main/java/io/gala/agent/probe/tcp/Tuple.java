package io.gala.agent.probe.tcp;

import io.gala.agent.net.IpText;

/**
 * A connection as seen from this host in one network namespace: local address and port, remote
 * address and port. Links and dropped packets are joined on it. Addresses are text: IPv4 dotted,
 * IPv6 in the RFC 5952 short form, IPv4-mapped IPv6 ({@code ::ffff:a.b.c.d}) as plain IPv4, so that
 * a dual-stack socket and the IPv4 packets it exchanges meet.
 */
record Tuple(long netns, String localIp, int localPort, String remoteIp, int remotePort) {
  static final int AF_INET = 2;
  static final int AF_INET6 = 10;

  /** Text form of an address of the given family (the first 4 bytes for AF_INET). */
  static String ip(int family, byte[] a) {
    return IpText.format(family == AF_INET, a);
  }
}
