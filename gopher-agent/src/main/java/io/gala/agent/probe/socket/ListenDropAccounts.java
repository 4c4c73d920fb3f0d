package io.gala.agent.probe.socket;

import java.util.HashMap;
import java.util.Map;

/**
 * Derives a listen address's listen drops from the kernel's raw figures, per address across
 * samples.
 *
 * <p>Every tcp_listendrop() adds one to the listener's sk_drops (and to TcpExtListenDrops), but
 * sk_drops also counts packets dropped at the listener on other paths: a final ACK refused for a
 * full accept queue counts twice (tcp_listendrop() in the SYN-ACK handling, then discard_and_relse
 * in tcp_v4_rcv). Those other increments are seen one by one at skb:kfree_skb ({@code
 * drops_counted}), so {@code listendrop = sk_drops - drops_counted}. sk_drops lives in each socket:
 * the sum over the address's sockets now, plus what closed sockets had when they stopped listening.
 *
 * <p>Counted since the probe started: an address already listening then starts from its sk_drops at
 * that moment; one that started listening later from zero. Values never go down (a socket closing
 * between the map read and the iterator read can hide its drops for one sample).
 */
final class ListenDropAccounts {
  /** A listen address's listen drops, cumulative, by where they happened. */
  record Drops(
      long listendrop, long ackOverflow, long synAcceptOverflow, long synQueueFull, long synOther) {
    long acceptOverflow() {
      return ackOverflow + synAcceptOverflow;
    }
  }

  /**
   * What an update added: listen drops at the final ACK, and SYN-time ones still to be split by
   * cause.
   */
  record Fresh(long ackOverflows, long synDrops) {}

  private static final class Account {
    long baseline;
    long listendrop;
    long synSplit;
    long synAcceptOverflow;
    long synQueueFull;
    long synOther;
    long ackOverflow;
  }

  private final Map<ListenAddress, Account> accounts = new HashMap<>();

  /**
   * Updates an address with this sample's figures and returns what is new since the last update.
   *
   * @param rawDrops closed sockets' sk_drops plus the live sockets' now
   * @param atStart whether this is the probe's first read (the address listened before the probe)
   */
  Fresh update(ListenAddress address, ListenCounters k, long rawDrops, boolean atStart) {
    Account a = accounts.get(address);
    if (a == null) {
      a = new Account();
      // listen_ns == 0: the kernel never saw the address start listening, so it predates the probe.
      a.baseline = atStart || k.listenNs() == 0 ? rawDrops : 0;
      accounts.put(address, a);
    }
    long listendrop = Math.max(0, rawDrops - a.baseline - k.dropsCounted());
    a.listendrop = Math.max(a.listendrop, listendrop);
    long ack = Math.max(a.ackOverflow, Math.min(k.ackOverflow(), a.listendrop));
    long freshAck = ack - a.ackOverflow;
    a.ackOverflow = ack;
    long freshSyn = Math.max(0, a.listendrop - a.ackOverflow - a.synSplit);
    a.synSplit += freshSyn;
    return new Fresh(freshAck, freshSyn);
  }

  /** Adds the causes of the SYN-time drops update() returned. */
  void assign(ListenAddress address, SynDropSplit.Shares s) {
    Account a = accounts.get(address);
    if (a == null) {
      return;
    }
    a.synAcceptOverflow += s.acceptOverflow();
    a.synQueueFull += s.synQueueFull();
    a.synOther += s.other();
  }

  Drops drops(ListenAddress address) {
    Account a = accounts.get(address);
    if (a == null) {
      return new Drops(0, 0, 0, 0, 0);
    }
    return new Drops(a.listendrop, a.ackOverflow, a.synAcceptOverflow, a.synQueueFull, a.synOther);
  }

  boolean knows(ListenAddress address) {
    return accounts.containsKey(address);
  }

  void forget(ListenAddress address) {
    accounts.remove(address);
  }
}
