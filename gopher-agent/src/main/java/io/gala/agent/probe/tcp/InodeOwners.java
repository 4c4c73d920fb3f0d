package io.gala.agent.probe.tcp;

import io.gala.agent.net.SocketInodes;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Which process holds a socket, from {@code /proc/<pid>/fd/* -> socket:[<inode>]}: the owner of
 * sockets the kernel side could not attribute (they existed before the probe started and have not
 * sent or received since, or the kernel lacks sock:sock_send_length). Scanning every fd of the host
 * is costly, so a miss triggers a rescan at most once per {@code minRescanMillis}.
 */
final class InodeOwners {
  private final Path proc;
  private final long minRescanMillis;
  private final LongSupplier clock;
  private Map<Long, Long> owners = Map.of();
  private long lastScan = Long.MIN_VALUE / 2;
  private long scans;

  InodeOwners(Path proc, long minRescanMillis, LongSupplier clock) {
    this.proc = proc;
    this.minRescanMillis = minRescanMillis;
    this.clock = clock;
  }

  /**
   * The tgid holding the socket inode, or 0 when no process holds it (or not found since the last
   * scan).
   */
  long owner(long ino) {
    if (ino == 0) {
      return 0;
    }
    Long tgid = owners.get(ino);
    if (tgid == null && clock.getAsLong() - lastScan >= minRescanMillis) {
      rescan();
      tgid = owners.get(ino);
    }
    return tgid == null ? 0 : tgid;
  }

  /** Scans /proc now. */
  void rescan() {
    lastScan = clock.getAsLong();
    scans++;
    Map<Long, Long> found = new HashMap<>();
    SocketInodes.scan(proc).forEach((ino, tgids) -> found.put(ino, tgids.get(0)));
    owners = found;
  }

  long scans() {
    return scans;
  }
}
