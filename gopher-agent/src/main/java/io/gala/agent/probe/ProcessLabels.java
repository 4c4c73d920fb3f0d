package io.gala.agent.probe;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * comm, cmdline and container id of processes, read from /proc once and cached, so that every probe
 * labels a tgid the same way. A process that exits keeps its last labels until {@link #forget}.
 */
public final class ProcessLabels {
  /** docker/containerd/cri-o/podman ids: 64 hex characters somewhere in the cgroup path. */
  private static final Pattern CONTAINER_ID = Pattern.compile("([0-9a-f]{64})");

  private static final int CMDLINE_MAX = 4096;

  private final Path proc;
  private final Map<Long, ProcessInfo> cache = new ConcurrentHashMap<>();

  public ProcessLabels() {
    this(Path.of("/proc"));
  }

  /** For tests: a /proc fixture directory. */
  public ProcessLabels(Path proc) {
    this.proc = proc;
  }

  public ProcessInfo get(long tgid) {
    ProcessInfo info = cache.get(tgid);
    if (info != null && !info.comm().isEmpty()) {
      return info;
    }
    info = read(tgid);
    if (!info.comm().isEmpty()) {
      cache.put(tgid, info);
    }
    return info;
  }

  /** Drops a process from the cache, e.g. after its exit has been reported. */
  public void forget(long tgid) {
    cache.remove(tgid);
  }

  private ProcessInfo read(long tgid) {
    Path dir = proc.resolve(Long.toString(tgid));
    String comm = readString(dir.resolve("comm")).strip();
    String cmdline = readString(dir.resolve("cmdline")).replace('\0', ' ').strip();
    if (cmdline.length() > CMDLINE_MAX) {
      cmdline = cmdline.substring(0, CMDLINE_MAX);
    }
    return new ProcessInfo(tgid, comm, cmdline, containerId(readString(dir.resolve("cgroup"))));
  }

  /** The container id in a /proc/<pid>/cgroup text, or "" for a process outside containers. */
  public static String containerId(String cgroupText) {
    for (String line : cgroupText.split("\n")) {
      Matcher m = CONTAINER_ID.matcher(line);
      if (m.find()) {
        // gala-ops uses the short form of the id, as docker ps shows it.
        return m.group(1).substring(0, 12);
      }
    }
    return "";
  }

  private static String readString(Path p) {
    try {
      return new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
