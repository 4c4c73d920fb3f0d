package io.gala.agent.probe.tcp;

/**
 * A connection as seen from this host in one network namespace: local address and port, remote address
 * and port. Links and dropped packets are joined on it. Addresses are text: IPv4 dotted, IPv6 in the
 * RFC 5952 short form, IPv4-mapped IPv6 ({@code ::ffff:a.b.c.d}) as plain IPv4, so that a dual-stack
 * socket and the IPv4 packets it exchanges meet.
 */
record Tuple(long netns, String localIp, int localPort, String remoteIp, int remotePort) {
  static final int AF_INET = 2;
  static final int AF_INET6 = 10;

  /** Text form of an address of the given family (the first 4 bytes for AF_INET). */
  static String ip(int family, byte[] a) {
    if (family == AF_INET || isV4Mapped(a)) {
      int o = family == AF_INET ? 0 : 12;
      return (a[o] & 0xff) + "." + (a[o + 1] & 0xff) + "." + (a[o + 2] & 0xff) + "." + (a[o + 3] & 0xff);
    }
    return ipv6(a);
  }

  private static boolean isV4Mapped(byte[] a) {
    for (int i = 0; i < 10; i++) {
      if (a[i] != 0) {
        return false;
      }
    }
    return (a[10] & 0xff) == 0xff && (a[11] & 0xff) == 0xff;
  }

  /** RFC 5952: lower case, leading zeros dropped, the longest run (2+) of zero groups as "::". */
  private static String ipv6(byte[] a) {
    int[] g = new int[8];
    for (int i = 0; i < 8; i++) {
      g[i] = ((a[2 * i] & 0xff) << 8) | (a[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLen = 1;
    for (int i = 0; i < 8; ) {
      if (g[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && g[j] == 0) {
        j++;
      }
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        b.append("::");
        i += bestLen - 1;
        continue;
      }
      if (b.length() > 0 && b.charAt(b.length() - 1) != ':') {
        b.append(':');
      }
      b.append(Integer.toHexString(g[i]));
    }
    return b.toString();
  }
}
