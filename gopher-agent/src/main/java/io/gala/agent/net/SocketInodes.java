package io.gala.agent.net;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which processes hold which sockets, from {@code /proc/<pid>/fd/* -> socket:[<inode>]}: how the
 * tcp and socket probes find the owners of sockets older than the probe. A scan reads every fd of
 * the host, so callers cache it and rescan sparingly.
 */
public final class SocketInodes {
  private SocketInodes() {}

  /** Socket inode -> the tgids holding it, in increasing order. */
  public static Map<Long, List<Long>> scan(Path proc) {
    Map<Long, List<Long>> found = new HashMap<>();
    try (DirectoryStream<Path> pids = Files.newDirectoryStream(proc, SocketInodes::isPid)) {
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
      throw new IllegalStateException(
          "cannot list " + proc + " to find socket owners: " + e.getMessage(), e);
    }
    found.values().forEach(l -> l.sort(null));
    return found;
  }

  /** Whether a /proc entry is a process directory. */
  public static boolean isPid(Path p) {
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
