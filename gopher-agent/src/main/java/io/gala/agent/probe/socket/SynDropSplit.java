package io.gala.agent.probe.socket;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Splits the SYN-time listen drops of a namespace's listeners by cause. The kernel frees a SYN that
 * tcp_conn_request() drops as a consumed packet, without a drop reason, so a listener's SYN-time
 * drops are only known as a count (its sk_drops less the drops seen at kfree_skb). The namespace's
 * own counters say how many of them were accept-queue overflows (TcpExtListenOverflows less the
 * overflows at the final ACK, which kfree_skb attributes exactly) and how many SYN-queue overflows
 * (TcpExtTCPReqQFullDrop); the rest had other causes (no memory, no route, ICMP errors).
 *
 * <p>Each period the namespace's overflows are handed to its listeners in proportion to their
 * SYN-time drops of that period: exact whenever one listener of the namespace dropped SYNs in a
 * period, the usual case. What the counters show beyond the listeners' drops (read a moment later)
 * is carried into the next period, and forgotten after a quiet period. Without the namespace's
 * counters (no readable process in it, or its first period) all SYN-time drops count as
 * accept-queue overflows: with syncookies on, the default, the SYN queue never overflows and other
 * causes are rare.
 */
final class SynDropSplit {
  /** Causes of one listener's SYN-time drops in one period. */
  record Shares(long acceptOverflow, long synQueueFull, long other) {
    static final Shares NONE = new Shares(0, 0, 0);
  }

  private static final class Namespace {
    Netstat last;
    long overflowCredit;
    long queueCredit;
  }

  private final Map<Long, Namespace> namespaces = new HashMap<>();

  /**
   * One period of one namespace.
   *
   * @param now its counters now, null when unreadable
   * @param ackOverflows the final-ACK overflows its listeners counted in this period
   * @param synDrops each listener's new SYN-time drops in this period
   */
  <K> Map<K, Shares> split(long netns, Netstat now, long ackOverflows, Map<K, Long> synDrops) {
    Namespace ns = namespaces.computeIfAbsent(netns, n -> new Namespace());
    long total = 0;
    for (long d : synDrops.values()) {
      total += d;
    }
    long overflows;
    long queueFull;
    if (now == null || ns.last == null) {
      overflows = total;
      queueFull = 0;
      ns.overflowCredit = 0;
      ns.queueCredit = 0;
    } else {
      long newOverflows = now.listenOverflows() - ns.last.listenOverflows() - ackOverflows;
      long newQueueFull = now.reqQFullDrop() - ns.last.reqQFullDrop();
      if (total == 0 && newOverflows == 0 && newQueueFull == 0) {
        ns.overflowCredit = 0;
        ns.queueCredit = 0;
      }
      ns.overflowCredit += newOverflows;
      ns.queueCredit += newQueueFull;
      overflows = clamp(ns.overflowCredit, total);
      queueFull = clamp(ns.queueCredit, total - overflows);
      ns.overflowCredit -= overflows;
      ns.queueCredit -= queueFull;
    }
    // Without this period's counters the next delta would span two periods: start over instead.
    ns.last = now;
    return distribute(synDrops, total, overflows, queueFull);
  }

  /** Forgets a namespace that has no listeners left. */
  void forget(long netns) {
    namespaces.remove(netns);
  }

  private static long clamp(long v, long max) {
    return Math.max(0, Math.min(v, max));
  }

  /**
   * Largest-remainder shares of the overflows and queue drops, proportional to each listener's
   * drops.
   */
  private static <K> Map<K, Shares> distribute(
      Map<K, Long> synDrops, long total, long overflows, long queueFull) {
    Map<K, Shares> out = new LinkedHashMap<>();
    if (total == 0) {
      synDrops.keySet().forEach(k -> out.put(k, Shares.NONE));
      return out;
    }
    Map<K, Long> o = apportion(synDrops, total, overflows);
    Map<K, Long> rest = new LinkedHashMap<>();
    synDrops.forEach((k, d) -> rest.put(k, d - o.get(k)));
    Map<K, Long> q = apportion(rest, total - overflows, queueFull);
    synDrops.forEach((k, d) -> out.put(k, new Shares(o.get(k), q.get(k), d - o.get(k) - q.get(k))));
    return out;
  }

  /**
   * Splits amount (at most the sum of weights) in proportion to weights, each part at most its
   * weight.
   */
  private static <K> Map<K, Long> apportion(Map<K, Long> weights, long sum, long amount) {
    Map<K, Long> out = new LinkedHashMap<>();
    if (sum == 0 || amount == 0) {
      weights.keySet().forEach(k -> out.put(k, 0L));
      return out;
    }
    long given = 0;
    Map<K, Long> remainders = new LinkedHashMap<>();
    for (Map.Entry<K, Long> e : weights.entrySet()) {
      long exact = e.getValue() * amount;
      out.put(e.getKey(), exact / sum);
      remainders.put(e.getKey(), exact % sum);
      given += exact / sum;
    }
    long left = amount - given;
    while (left > 0) {
      K best = null;
      for (Map.Entry<K, Long> e : remainders.entrySet()) {
        if (out.get(e.getKey()) < weights.get(e.getKey())
            && (best == null || e.getValue() > remainders.get(best))) {
          best = e.getKey();
        }
      }
      if (best == null) {
        break;
      }
      out.merge(best, 1L, Long::sum);
      remainders.put(best, -1L);
      left--;
    }
    return out;
  }
}
