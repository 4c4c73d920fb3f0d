package io.gala.agent.probe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The part of the machine an agent watches: everything (netns 0), or one network namespace and the
 * processes in it, so that several agents on one machine can act as several hosts. The namespace is
 * given by its inode ({@code stat -L -c %i /proc/<pid>/ns/net} or {@code /run/netns/<name>}).
 */
public record Scope(long netnsInode) {
  public static final Scope HOST = new Scope(0);

  public boolean isHost() {
    return netnsInode == 0;
  }

  /** Whether a process belongs to this scope; false when it is gone or unreadable. */
  public boolean includesPid(long pid) {
    if (isHost()) {
      return true;
    }
    return netnsOfPid(pid) == netnsInode;
  }

  /** Network namespace inode of a process, 0 when it cannot be read. */
  public static long netnsOfPid(long pid) {
    return inode(Path.of("/proc", Long.toString(pid), "ns", "net"));
  }

  /**
   * Inode of a namespace file (bind mount under /run/netns or /proc/<pid>/ns/net), 0 if unreadable.
   */
  public static long inode(Path nsFile) {
    try {
      Object ino = Files.getAttribute(nsFile, "unix:ino");
      return ((Number) ino).longValue();
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return 0;
    }
  }
}
