package io.gala.agent.net;

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
 * Finds a file through which a network namespace can be entered, by the namespace's inode: a bind
 * mount under {@code /run/netns} (ip netns) or {@code /var/run/docker/netns}, else {@code
 * /proc/<pid>/ns/net} of a process inside it. iter/tcp only walks the namespace of the thread that
 * creates it, so the tcp and socket probes enter each namespace with sockets through one of these.
 * Lookups are cached; a miss rescans at most once per {@code minRescanMillis} (0: every miss
 * rescans, for a caller that asks only for namespaces known to exist). Copy on write: a lookup may
 * run beside a rescan.
 */
public final class NetnsFiles {
  private static final List<Path> BIND_MOUNT_DIRS =
      List.of(Path.of("/run/netns"), Path.of("/var/run/netns"), Path.of("/var/run/docker/netns"));

  private final Path proc;
  private final long minRescanMillis;
  private final LongSupplier clock;
  private volatile Map<Long, Path> files = Map.of();
  private long lastScan = Long.MIN_VALUE / 2;

  public NetnsFiles(Path proc, long minRescanMillis, LongSupplier clock) {
    this.proc = proc;
    this.minRescanMillis = minRescanMillis;
    this.clock = clock;
  }

  /**
   * A file of the namespace, or null when none is found (the namespace is gone, or holds no
   * process).
   */
  public Path find(long inode) {
    Path p = files.get(inode);
    if (p == null && clock.getAsLong() - lastScan >= minRescanMillis) {
      rescan();
      p = files.get(inode);
    }
    return p;
  }

  /** Forgets a file that could not be opened (its process exited). */
  public void invalidate(long inode) {
    Map<Long, Path> copy = new HashMap<>(files);
    copy.remove(inode);
    files = copy;
  }

  /** Every namespace found on the machine (rescanning now). */
  public Set<Long> all() {
    rescan();
    return Set.copyOf(files.keySet());
  }

  private synchronized void rescan() {
    lastScan = clock.getAsLong();
    Map<Long, Path> found = new HashMap<>();
    for (Path dir : BIND_MOUNT_DIRS) {
      list(dir, found);
    }
    try (DirectoryStream<Path> pids = Files.newDirectoryStream(proc, SocketInodes::isPid)) {
      for (Path pid : pids) {
        Path ns = pid.resolve("ns").resolve("net");
        long ino = Scope.inode(ns);
        if (ino != 0) {
          found.putIfAbsent(ino, ns);
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot list " + proc + " to find network namespaces: " + e.getMessage(), e);
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
}
