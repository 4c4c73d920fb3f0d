package io.gala.agent.probe.container;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which cgroups the probe reports, and under which id. Always: containers, i.e. cgroups whose last
 * path component holds a 64-hex id (docker {@code docker-<id>.scope} or {@code /docker/<id>},
 * containerd and cri-o under {@code kubepods}, podman {@code libpod-<id>.scope}); their id is the
 * 12-character short id, as {@code docker ps} and the {@code proc} table's {@code container_id}
 * label show it. Besides: the cgroups at and below the given path prefixes (param {@code
 * cgroup_prefixes}, default {@code system.slice}: systemd services), whose id is their path ({@code
 * /system.slice/redis-server.service}), stable across restarts of the agent and of the service.
 */
final class CgroupWatch {
  private static final Logger LOG = Logger.getLogger(CgroupWatch.class.getName());
  static final String DEFAULT_PREFIXES = "system.slice";

  /** Deep enough for kubepods (4 levels) and nested slices; bounds the walk on odd hosts. */
  private static final int MAX_DEPTH = 6;

  private static final Pattern CONTAINER_ID =
      Pattern.compile("(?<![0-9a-f])([0-9a-f]{64})(?![0-9a-f])");
  private static final Pattern PREFIX =
      Pattern.compile("[A-Za-z0-9_.@:+=,-]+(/[A-Za-z0-9_.@:+=,-]+)*");

  private final List<String> prefixes;
  private long unreadable;

  private CgroupWatch(List<String> prefixes) {
    this.prefixes = List.copyOf(prefixes);
  }

  /**
   * Parses {@code cgroup_prefixes}: comma-separated cgroup paths relative to the hierarchy root,
   * with or without leading slash; an empty string watches containers only.
   *
   * @throws IllegalArgumentException naming a prefix that is not a plain relative path ("..", "*")
   */
  static CgroupWatch parse(String param) {
    List<String> list = new ArrayList<>();
    for (String s : param.split(",")) {
      String t = s.trim().replaceAll("^/+|/+$", "");
      if (t.isEmpty()) {
        continue;
      }
      if (!PREFIX.matcher(t).matches() || List.of(t.split("/")).contains("..")) {
        throw new IllegalArgumentException(
            "container: cgroup_prefixes entry '"
                + s.trim()
                + "' is not a cgroup path such as system.slice or kubepods/besteffort");
      }
      list.add(t);
    }
    return new CgroupWatch(list);
  }

  List<String> prefixes() {
    return prefixes;
  }

  /** Whether a cgroup (path relative to its hierarchy root, no leading slash) is reported. */
  boolean watches(String rel) {
    if (rel.isEmpty()) {
      return false;
    }
    String last = lastComponent(rel);
    if (CONTAINER_ID.matcher(last).find()) {
      // crio-conmon-<id>.scope and libpod-conmon-<id>.scope hold the monitor, not the container
      return !last.contains("conmon-");
    }
    for (String p : prefixes) {
      if (rel.equals(p) || rel.startsWith(p + "/")) {
        return true;
      }
    }
    return false;
  }

  /** The row key: a container's short id, else the cgroup's path. */
  static String id(String rel) {
    Matcher m = CONTAINER_ID.matcher(lastComponent(rel));
    return m.find() ? m.group(1).substring(0, 12) : "/" + rel;
  }

  private static String lastComponent(String rel) {
    return rel.substring(rel.lastIndexOf('/') + 1);
  }

  /** Directories that could not be listed (other than removed ones), since the probe started. */
  long unreadable() {
    return unreadable;
  }

  /** Relative paths of the watched cgroups in these hierarchies, sorted, each once. */
  Set<String> find(List<Path> hierarchies) {
    Set<String> out = new TreeSet<>();
    for (Path root : hierarchies) {
      walk(root, root, 1, out);
    }
    return out;
  }

  private void walk(Path root, Path dir, int depth, Set<String> out) {
    try (DirectoryStream<Path> children = Files.newDirectoryStream(dir, Files::isDirectory)) {
      for (Path child : children) {
        String rel = root.relativize(child).toString();
        if (watches(rel)) {
          out.add(rel);
        }
        if (depth < MAX_DEPTH) {
          walk(root, child, depth + 1, out);
        }
      }
    } catch (NoSuchFileException e) {
      // removed while we walked: the next sample sees the tree as it is then
    } catch (IOException e) {
      unreadable++;
      if (unreadable <= 5) {
        LOG.warning("container: cannot list " + dir + ": " + e);
      }
    }
  }
}
