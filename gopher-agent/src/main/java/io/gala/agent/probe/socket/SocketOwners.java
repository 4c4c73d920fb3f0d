package io.gala.agent.probe.socket;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Which processes hold a socket, from {@code /proc/<pid>/fd/* -> socket:[<inode>]}: the owners of
 * listeners the kernel did not see calling listen() (they predate the probe), and every holder of a
 * listener shared by forked workers. Scanning every fd of the host costs, so only an inode never asked
 * for before triggers a rescan, at most once per {@code minRescanMillis}; one that a scan did not find
 * (held by a process outside this PID namespace, say) does not trigger more. Every
 * {@code REFRESH_MILLIS} a scan happens anyway, to see workers forked since.
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

  /** The processes holding the socket inode, in increasing tgid order; empty when none was found. */
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
    Map<Long, List<Long>> found = new HashMap<>();
    try (DirectoryStream<Path> pids = Files.newDirectoryStream(proc, SocketOwners::isPid)) {
      for (Path pid : pids) {
        long tgid = Long.parseLong(pid.getFileName().toString());
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(pid.resolve("fd"))) {
          for (Path fd : fds) {
            long ino = socketInode(fd);
            if (ino != 0) {
              List<Long> list = found.computeIfAbsent(ino, i -> new ArrayList<>(1));
              if (!list.contains(tgid)) {
                list.add(tgid);
              }
            }
          }
        } catch (IOException | SecurityException e) {
          // The process exited meanwhile, or its fds are unreadable: it owns nothing we can see.
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot list " + proc + " to find socket owners: " + e.getMessage(), e);
    }
    found.values().forEach(l -> l.sort(null));
    owners = found;
  }

  /** The process group of a process (field 5 of /proc/<pid>/stat), or the tgid itself when unreadable. */
  long processGroup(long tgid) {
    try {
      String stat = Files.readString(proc.resolve(Long.toString(tgid)).resolve("stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[2]);
    } catch (IOException | RuntimeException e) {
      return tgid;
    }
  }

  static boolean isPid(Path p) {
    String n = p.getFileName().toString();
    return !n.isEmpty() && n.chars().allMatch(Character::isDigit);
  }

  private static long socketInode(Path fd) {
    try {
      String target = Files.readSymbolicLink(fd).toString();
      if (target.startsWith("socket:[") && target.endsWith("]")) {
        return Long.parseLong(target, 8, target.length() - 1, 10);
      }
    } catch (IOException | UnsupportedOperationException | NumberFormatException e) {
      // closed meanwhile, or not a socket
    }
    return 0;
  }
}
