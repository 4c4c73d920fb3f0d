package io.gala.agent.probe.socket;

import java.nio.ByteBuffer;

/**
 * What the kernel counted for one listen address since the probe attached (C {@code struct
 * listen_stats}).
 *
 * @param dropsCounted drops at the listener that sk_drops counted besides tcp_listendrop()
 * @param closedDrops sk_drops of this address's sockets when they stopped listening
 * @param listenNs when a socket of this address entered LISTEN after the probe attached; 0 = never
 * @param ownerTgid the process that last called listen() on it; 0 = unknown
 */
record ListenCounters(
    long passiveOpen,
    long passiveOpenFailed,
    long retranSynacks,
    long ackOverflow,
    long dropsCounted,
    long closedDrops,
    long listenNs,
    long ownerTgid,
    long closes) {
  static final int SIZE = 64;
  static final ListenCounters NONE = new ListenCounters(0, 0, 0, 0, 0, 0, 0, 0, 0);

  static ListenCounters read(ByteBuffer b) {
    Layouts.ListenStats s = Layouts.LISTEN_STATS;
    return new ListenCounters(
        b.getLong((int) s.passive_open.offset()),
        b.getLong((int) s.passive_open_failed.offset()),
        b.getLong((int) s.retran_synacks.offset()),
        b.getLong((int) s.ack_overflow.offset()),
        b.getLong((int) s.drops_counted.offset()),
        b.getLong((int) s.closed_drops.offset()),
        b.getLong((int) s.listen_ns.offset()),
        b.getInt((int) s.owner_tgid.offset()) & 0xffffffffL,
        b.getInt((int) s.closes.offset()) & 0xffffffffL);
  }
}
