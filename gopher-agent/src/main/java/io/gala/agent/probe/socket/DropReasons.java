package io.gala.agent.probe.socket;

import java.util.Map;
import java.util.function.Function;

/**
 * Names of the kernel's packet drop reasons ({@code enum skb_drop_reason}, numbered differently by
 * each kernel version) as gala reports them: the enumerator without its {@code SKB_DROP_REASON_}
 * prefix, e.g. {@code TCP_LISTEN_OVERFLOW}. Plus gala's own names for the SYN-time listen drops,
 * which the kernel frees without a reason.
 */
final class DropReasons {
  /** A SYN dropped because the accept queue was full (counted in TcpExtListenOverflows). */
  static final String SYN_ACCEPT_QUEUE_FULL = "SYN_ACCEPT_QUEUE_FULL";

  /**
   * A SYN dropped because the SYN queue was full and syncookies were off (TcpExtTCPReqQFullDrop).
   */
  static final String SYN_QUEUE_FULL = "SYN_QUEUE_FULL";

  /**
   * A connection request dropped before the final ACK for another cause: memory, route, ICMP error.
   */
  static final String SYN_OTHER = "SYN_OTHER";

  private static final String PREFIX = "SKB_DROP_REASON_";

  private final Map<Long, String> names;

  /**
   * @param enumerators the kernel's {@code skb_drop_reason} by value (empty when it has none)
   */
  DropReasons(Map<Long, String> enumerators) {
    this.names = Map.copyOf(enumerators);
  }

  static DropReasons of(Function<String, Map<Long, String>> enumLookup) {
    return new DropReasons(enumLookup.apply("skb_drop_reason"));
  }

  String name(long reason) {
    String n = names.get(reason);
    if (n == null) {
      return "REASON_" + reason;
    }
    return n.startsWith(PREFIX) ? n.substring(PREFIX.length()) : n;
  }
}
