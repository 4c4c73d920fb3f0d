package io.gala.agent.probe.socket;

import java.nio.ByteBuffer;

/**
 * What the kernel counted for one client endpoint since the probe attached (C {@code struct
 * client_stats}).
 *
 * @param attempts connects started (CLOSE -> SYN_SENT)
 * @param noSyn connects that ended before a SYN left (no free local port, no route)
 * @param activeOpen connects that reached ESTABLISHED
 * @param activeOpenFailed connects that ended with a socket error: refused, timed out, unreachable
 * @param retranSyn SYN retransmissions
 */
record ClientCounters(
    long attempts, long noSyn, long activeOpen, long activeOpenFailed, long retranSyn) {
  static final int SIZE = 48;

  static ClientCounters read(ByteBuffer b) {
    Layouts.ClientStats s = Layouts.CLIENT_STATS;
    return new ClientCounters(
        b.getLong((int) s.attempts.offset()),
        b.getLong((int) s.no_syn.offset()),
        b.getLong((int) s.active_open.offset()),
        b.getLong((int) s.active_open_failed.offset()),
        b.getLong((int) s.retran_syn.offset()));
  }

  /**
   * SYNs sent first: connects started minus those that never sent one (the kernel's ActiveOpens).
   */
  long synSent() {
    return Math.max(0, attempts - noSyn);
  }
}
