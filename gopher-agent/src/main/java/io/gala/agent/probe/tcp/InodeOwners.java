package io.gala.agent.probe.tcp;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Which process holds a socket, from {@code /proc/<pid>/fd/* -> socket:[<inode>]}: the owner of sockets
 * the kernel side could not attribute (they existed before the probe started and have not sent or
 * received since, or the kernel lacks sock:sock_send_length). Scanning every fd of the host is costly,
 * so a miss triggers a rescan at most once per {@code minRescanMillis}.
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

  /** The tgid holding the socket inode, or 0 when no process holds it (or not found since the last scan). */
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
    try (DirectoryStream<Path> pids = Files.newDirectoryStream(proc, InodeOwners::isPid)) {
      for (Path pid : pids) {
        long tgid = Long.parseLong(pid.getFileName().toString());
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(pid.resolve("fd"))) {
          for (Path fd : fds) {
            long ino = socketInode(fd);
            if (ino != 0) {
              found.putIfAbsent(ino, tgid);
            }
          }
        } catch (IOException | SecurityException e) {
          // The process exited meanwhile, or its fds are not readable: it owns nothing we can see.
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot list " + proc + " to find socket owners: " + e.getMessage(), e);
    }
    owners = found;
  }

  long scans() {
    return scans;
  }

  private static boolean isPid(Path p) {
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
