package io.gala.server.topology;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Matches the two ends of TCP connections reported by different agents (or the same one, over
 * loopback): a client-role tcp_link and the server-role tcp_link with the same client ip and port,
 * server ip and port. The server side may have seen the real client address as {@code
 * toa_client_ip} (TCP option address behind a load balancer); a server side without a client port
 * matches on the other three fields. Loopback addresses match only within one machine.
 */
final class ConnectionMatcher {
  /** One end of a connection as a tcp_link reports it. */
  record LinkEnd(
      String machineId,
      String linkId,
      String procId,
      boolean client,
      String clientIp,
      String clientPort,
      String serverIp,
      String serverPort,
      String toaClientIp) {}

  /** A matched connection: the client end and the server end. */
  record Peer(LinkEnd client, LinkEnd server) {}

  private ConnectionMatcher() {}

  static List<Peer> match(List<LinkEnd> links) {
    Map<String, LinkEnd> exact = new HashMap<>();
    Map<String, LinkEnd> withoutClientPort = new HashMap<>();
    for (LinkEnd s : links) {
      if (s.client()) {
        continue;
      }
      for (String cip : new String[] {s.clientIp(), s.toaClientIp()}) {
        if (cip.isEmpty()) {
          continue;
        }
        if (hasPort(s.clientPort())) {
          exact.putIfAbsent(key(s, cip, s.clientPort()), s);
        } else {
          withoutClientPort.putIfAbsent(key(s, cip, ""), s);
        }
      }
    }
    List<Peer> out = new ArrayList<>();
    for (LinkEnd c : links) {
      if (!c.client()) {
        continue;
      }
      LinkEnd s = exact.get(key(c, c.clientIp(), c.clientPort()));
      if (s == null) {
        s = withoutClientPort.get(key(c, c.clientIp(), ""));
      }
      if (s != null) {
        out.add(new Peer(c, s));
      }
    }
    return out;
  }

  private static String key(LinkEnd e, String clientIp, String clientPort) {
    String cip = normalize(clientIp);
    String sip = normalize(e.serverIp());
    String scope = loopback(cip) || loopback(sip) ? e.machineId() : "";
    return scope + '|' + cip + '|' + clientPort + '|' + sip + '|' + e.serverPort();
  }

  private static boolean hasPort(String port) {
    return !port.isEmpty() && !port.equals("0");
  }

  /** IPv4-mapped IPv6 addresses compare as IPv4. */
  static String normalize(String ip) {
    String s = ip.toLowerCase(java.util.Locale.ROOT);
    return s.startsWith("::ffff:") && s.indexOf('.') > 0 ? s.substring(7) : s;
  }

  static boolean loopback(String ip) {
    return ip.startsWith("127.") || ip.equals("::1") || ip.equals("localhost");
  }
}
