package io.gala.agent.net;

/**
 * Text form of kernel socket addresses as gala prints them everywhere: IPv4 dotted, IPv6 in the RFC
 * 5952 short form, IPv4-mapped IPv6 ({@code ::ffff:a.b.c.d}) as plain IPv4, so that a dual-stack
 * socket and the IPv4 peers and packets it exchanges meet on the same text.
 */
public final class IpText {
  private IpText() {}

  /**
   * The address in a kernel field of 16 bytes (or 4 when {@code ipv4}): IPv4 in the first 4 bytes
   * for an AF_INET socket, else an IPv6 address that may be IPv4-mapped.
   */
  public static String format(boolean ipv4, byte[] a) {
    if (ipv4) {
      return ipv4(a, 0);
    }
    if (isV4Mapped(a)) {
      return ipv4(a, 12);
    }
    return ipv6(a);
  }

  private static String ipv4(byte[] a, int o) {
    return (a[o] & 0xff)
        + "."
        + (a[o + 1] & 0xff)
        + "."
        + (a[o + 2] & 0xff)
        + "."
        + (a[o + 3] & 0xff);
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
    if (bestStart == 0 && bestLen == 8) {
      return "::";
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
