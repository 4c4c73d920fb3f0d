package io.gala.agent.probe.socket;

import io.gala.agent.probe.Scope;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Files through which a network namespace can be entered, by the namespace's inode: bind mounts under
 * {@code /run/netns} (ip netns) and docker's, else {@code /proc/<pid>/ns/net} of a process inside it.
 * iter/tcp walks only the namespace of the thread that creates it, so the probe enters each namespace
 * with listeners through one of these. A miss rescans: a namespace asked for either has listeners or
 * held some at the last read, and only a fresh scan may conclude that it is gone.
 */
final class NetnsPaths {
  private static final List<Path> BIND_MOUNT_DIRS =
      List.of(Path.of("/run/netns"), Path.of("/var/run/netns"), Path.of("/var/run/docker/netns"));

  private final Path proc;
  private Map<Long, Path> files = Map.of();

  NetnsPaths(Path proc) {
    this.proc = proc;
  }

  /**
   * A file of the namespace, or null when a fresh scan finds none (the namespace is gone, or has neither
   * a process nor a bind mount left). A cached file may have gone stale: see {@link #invalidate}.
   */
  Path find(long inode) {
    Path p = files.get(inode);
    if (p == null) {
      rescan();
      p = files.get(inode);
    }
    return p;
  }

  /** Forgets a file that could not be entered (its process exited). */
  void invalidate(long inode) {
    Map<Long, Path> copy = new HashMap<>(files);
    copy.remove(inode);
    files = copy;
  }

  /** Every namespace of the machine, rescanned now. */
  Set<Long> all() {
    rescan();
    return Set.copyOf(files.keySet());
  }

  private void rescan() {
    Map<Long, Path> found = new HashMap<>();
    for (Path dir : BIND_MOUNT_DIRS) {
      list(dir, found);
    }
    try (DirectoryStream<Path> pids = Files.newDirectoryStream(proc, SocketOwners::isPid)) {
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
      // An unreadable directory contributes nothing; /proc still finds namespaces with processes.
    }
  }
}
