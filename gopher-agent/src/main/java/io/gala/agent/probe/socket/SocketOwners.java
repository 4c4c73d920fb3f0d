package io.gala.agent.probe.socket;

import io.gala.agent.net.SocketInodes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Which processes hold a socket, from {@code /proc/<pid>/fd/* -> socket:[<inode>]}: the owners of
 * listeners the kernel did not see calling listen() (they predate the probe), and every holder of a
 * listener shared by forked workers. Scanning every fd of the host costs, so only an inode never
 * asked for before triggers a rescan, at most once per {@code minRescanMillis}; one that a scan did
 * not find (held by a process outside this PID namespace, say) does not trigger more. Every {@code
 * REFRESH_MILLIS} a scan happens anyway, to see workers forked since.
 */
final class SocketOwners {
  private final Path proc;
  private final long minRescanMillis;
  private final LongSupplier clock;
  static final long REFRESH_MILLIS = 300_000;
  private Map<Long, List<Long>> owners = Map.of();
  private final Set<Long> missed = new HashSet<>();
  private long lastScan = Long.MIN_VALUE / 2;

  SocketOwners(Path proc, long minRescanMillis, LongSupplier clock) {
    this.proc = proc;
    this.minRescanMillis = minRescanMillis;
    this.clock = clock;
  }

  /**
   * The processes holding the socket inode, in increasing tgid order; empty when none was found.
   */
  List<Long> of(long ino) {
    long sinceScan = clock.getAsLong() - lastScan;
    if (sinceScan >= REFRESH_MILLIS) {
      missed.clear();
      rescan();
    }
    List<Long> found = owners.get(ino);
    if (found == null && ino != 0 && !missed.contains(ino) && sinceScan >= minRescanMillis) {
      rescan();
      found = owners.get(ino);
      if (found == null) {
        missed.add(ino);
      }
    }
    return found == null ? List.of() : found;
  }

  /** Scans /proc now. */
  void rescan() {
    lastScan = clock.getAsLong();
    owners = SocketInodes.scan(proc);
  }

  /**
   * The process group of a process (field 5 of /proc/<pid>/stat), or the tgid itself when
   * unreadable.
   */
  long processGroup(long tgid) {
    try {
      String stat = Files.readString(proc.resolve(Long.toString(tgid)).resolve("stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[2]);
    } catch (IOException | RuntimeException e) {
      return tgid;
    }
  }
}
