package io.gala.agent.probe.tcp;

import io.gala.agent.probe.Scope;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Finds a file through which a network namespace can be entered, by the namespace's inode: a bind mount
 * under {@code /run/netns} (ip netns) or {@code /var/run/docker/netns}, else {@code /proc/<pid>/ns/net}
 * of a process inside it. iter/tcp only walks the namespace of the thread that creates it, so the probe
 * enters each namespace with connections through one of these. Lookups are cached; a miss rescans at most
 * once per {@code minRescanMillis}.
 */
final class NetnsFiles {
  private static final List<Path> BIND_MOUNT_DIRS =
      List.of(Path.of("/run/netns"), Path.of("/var/run/netns"), Path.of("/var/run/docker/netns"));

  private final Path proc;
  private final long minRescanMillis;
  private final LongSupplier clock;
  private Map<Long, Path> files = new HashMap<>();
  private long lastScan = Long.MIN_VALUE / 2;

  NetnsFiles(Path proc, long minRescanMillis, LongSupplier clock) {
    this.proc = proc;
    this.minRescanMillis = minRescanMillis;
    this.clock = clock;
  }

  /** A file of the namespace, or null when none is found (the namespace is gone, or holds no process). */
  Path find(long inode) {
    Path p = files.get(inode);
    if (p == null && clock.getAsLong() - lastScan >= minRescanMillis) {
      rescan();
      p = files.get(inode);
    }
    return p;
  }

  /** Forgets a file that could not be opened (its process exited). */
  void invalidate(long inode) {
    files.remove(inode);
  }

  /** Every namespace found on the machine (rescanning now). */
  Set<Long> all() {
    rescan();
    return Set.copyOf(files.keySet());
  }

  private void rescan() {
    lastScan = clock.getAsLong();
    Map<Long, Path> found = new HashMap<>();
    for (Path dir : BIND_MOUNT_DIRS) {
      list(dir, found);
    }
    try (DirectoryStream<Path> pids = Files.newDirectoryStream(proc, NetnsFiles::isPid)) {
      for (Path pid : pids) {
        Path ns = pid.resolve("ns").resolve("net");
        long ino = Scope.inode(ns);
        if (ino != 0) {
          found.putIfAbsent(ino, ns);
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot list " + proc + " to find network namespaces: " + e.getMessage(), e);
    }
    files = found;
  }

  private static void list(Path dir, Map<Long, Path> into) {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path e : entries) {
        long ino = Scope.inode(e);
        if (ino != 0) {
          into.putIfAbsent(ino, e);
        }
      }
    } catch (IOException e) {
      // unreadable directory: nothing from it
    }
  }

  private static boolean isPid(Path p) {
    String n = p.getFileName().toString();
    return !n.isEmpty() && n.chars().allMatch(Character::isDigit);
  }
}
