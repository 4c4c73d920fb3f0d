package io.gala.agent.probe.container;

import io.gala.agent.probe.Probe;
import io.gala.agent.probe.ProbeContext;
import io.gala.agent.table.Row;
import io.gala.agent.table.TableDef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The {@code container} probe: CPU use and throttling, memory use, limit and failures, block I/O and
 * pressure per cgroup, on cgroup v1 (one hierarchy per controller) and v2 (unified). Watches containers
 * (a 64-hex id in the cgroup path) and the cgroups under the prefixes of param {@code cgroup_prefixes}
 * (comma-separated, e.g. {@code "system.slice,gala-lab"}).
 */
public final class ContainerProbe implements Probe {
  private static final Pattern CONTAINER_ID = Pattern.compile("([0-9a-f]{64})");
  private static final int MAX_DEPTH = 6;

  private final Path cgroupRoot;
  private List<String> prefixes = List.of();
  private Path v2Root;

  public ContainerProbe() {
    this(Path.of("/sys/fs/cgroup"));
  }

  ContainerProbe(Path cgroupRoot) {
    this.cgroupRoot = cgroupRoot;
  }

  @Override
  public String name() {
    return "container";
  }

  @Override
  public List<TableDef> tables() {
    return List.of(ContainerTable.CONTAINER);
  }

  @Override
  public void start(ProbeContext context) {
    String p = context.config().param("cgroup_prefixes", "");
    List<String> list = new ArrayList<>();
    for (String s : p.split(",")) {
      String t = s.trim().replaceAll("^/+|/+$", "");
      if (!t.isEmpty()) {
        list.add(t);
      }
    }
    prefixes = List.copyOf(list);
    // Pure v2: /sys/fs/cgroup/cgroup.controllers; hybrid: /sys/fs/cgroup/unified.
    if (Files.exists(cgroupRoot.resolve("cgroup.controllers"))) {
      v2Root = cgroupRoot;
    } else if (Files.exists(cgroupRoot.resolve("unified/cgroup.controllers"))) {
      v2Root = cgroupRoot.resolve("unified");
    }
  }

  @Override
  public void sample(Consumer<Row> sink) throws IOException {
    boolean pureV2 = v2Root != null && v2Root.equals(cgroupRoot);
    if (!pureV2) {
      for (String path : watched(cgroupRoot.resolve("cpu"), cgroupRoot.resolve("memory"))) {
        sink.accept(v1Row(path));
      }
    }
    if (v2Root != null) {
      for (String path : watched(v2Root)) {
        Row r = v2Row(path, pureV2);
        if (r != null) {
          sink.accept(r);
        }
      }
    }
  }

  /** Relative paths of watched cgroups found under these hierarchy roots. */
  private Set<String> watched(Path... roots) throws IOException {
    Set<String> out = new TreeSet<>();
    for (Path root : roots) {
      if (!Files.isDirectory(root)) {
        continue;
      }
      try (Stream<Path> s = Files.walk(root, MAX_DEPTH)) {
        s.filter(Files::isDirectory).forEach(d -> {
          String rel = root.relativize(d).toString();
          if (!rel.isEmpty() && isWatched(rel)) {
            out.add(rel);
          }
        });
      }
    }
    return out;
  }

  private boolean isWatched(String rel) {
    if (CONTAINER_ID.matcher(rel).find()) {
      return true;
    }
    for (String p : prefixes) {
      if (rel.equals(p) || rel.startsWith(p + "/")) {
        return true;
      }
    }
    return false;
  }

  private static String id(String rel) {
    Matcher m = CONTAINER_ID.matcher(rel);
    return m.find() ? m.group(1).substring(0, 12) : "/" + rel;
  }

  private Row v1Row(String rel) {
    Path cpu = cgroupRoot.resolve("cpu").resolve(rel);
    Path acct = cgroupRoot.resolve("cpuacct").resolve(rel);
    Path mem = cgroupRoot.resolve("memory").resolve(rel);
    Path blk = cgroupRoot.resolve("blkio").resolve(rel);
    Row.Builder r = ContainerTable.CONTAINER.row().key("container_id", id(rel))
        .label("cgroup", "/" + rel).label("cgroup_version", "v1");
    long usage = CgroupFiles.number(acct.resolve("cpuacct.usage"));
    if (usage < 0) {
      usage = CgroupFiles.number(cpu.resolve("cpuacct.usage")); // cpu,cpuacct co-mounted
    }
    setIf(r, "cpu_usage_seconds_total", usage, 1e-9);
    Map<String, Long> acctStat = CgroupFiles.keyValues(
        Files.exists(acct.resolve("cpuacct.stat")) ? acct.resolve("cpuacct.stat") : cpu.resolve("cpuacct.stat"));
    setIf(r, "cpu_user_seconds_total", acctStat.getOrDefault("user", -1L), 0.01);
    setIf(r, "cpu_system_seconds_total", acctStat.getOrDefault("system", -1L), 0.01);
    long quota = CgroupFiles.number(cpu.resolve("cpu.cfs_quota_us"));
    long period = CgroupFiles.number(cpu.resolve("cpu.cfs_period_us"));
    if (quota > 0 && period > 0) {
      r.set("cpu_quota_cores", (double) quota / period);
    }
    Map<String, Long> cpuStat = CgroupFiles.keyValues(cpu.resolve("cpu.stat"));
    setIf(r, "cpu_cfs_periods_total", cpuStat.getOrDefault("nr_periods", -1L), 1);
    setIf(r, "cpu_cfs_throttled_periods_total", cpuStat.getOrDefault("nr_throttled", -1L), 1);
    setIf(r, "cpu_cfs_throttled_seconds_total", cpuStat.getOrDefault("throttled_time", -1L), 1e-9);
    long memUsage = CgroupFiles.number(mem.resolve("memory.usage_in_bytes"));
    setIf(r, "memory_usage_bytes", memUsage, 1);
    long limit = CgroupFiles.number(mem.resolve("memory.limit_in_bytes"));
    if (limit > 0 && limit < CgroupFiles.UNLIMITED) {
      r.set("memory_limit_bytes", limit);
    }
    Map<String, Long> memStat = CgroupFiles.keyValues(mem.resolve("memory.stat"));
    setIf(r, "memory_rss", memStat.getOrDefault("rss", -1L), 1);
    setIf(r, "memory_cache", memStat.getOrDefault("cache", -1L), 1);
    if (memUsage >= 0 && memStat.containsKey("total_inactive_file")) {
      r.set("memory_working_set_bytes", Math.max(0, memUsage - memStat.get("total_inactive_file")));
    }
    setIf(r, "memory_failcnt", CgroupFiles.number(mem.resolve("memory.failcnt")), 1);
    Map<String, Long> oom = CgroupFiles.keyValues(mem.resolve("memory.oom_control"));
    setIf(r, "oom_events_total", oom.getOrDefault("oom_kill", -1L), 1);
    long[] ops = CgroupFiles.blkioTotals(blk.resolve("blkio.throttle.io_serviced"));
    long[] bytes = CgroupFiles.blkioTotals(blk.resolve("blkio.throttle.io_service_bytes"));
    setIf(r, "blkio_read_ops", ops[0], 1);
    setIf(r, "blkio_write_ops", ops[1], 1);
    setIf(r, "blkio_read_bytes", bytes[0], 1);
    setIf(r, "blkio_write_bytes", bytes[1], 1);
    return r.build();
  }

  private Row v2Row(String rel, boolean pureV2) {
    Path d = v2Root.resolve(rel);
    Map<String, Long> cpuStat = CgroupFiles.keyValues(d.resolve("cpu.stat"));
    if (!pureV2 && !Files.exists(d.resolve("cpu.max")) && !Files.exists(d.resolve("memory.current"))) {
      // Hybrid mode with no controllers enabled in v2: v1 already reported this cgroup, if at all.
      return null;
    }
    Row.Builder r = ContainerTable.CONTAINER.row().key("container_id", id(rel) + (pureV2 ? "" : "@v2"))
        .label("cgroup", "/" + rel).label("cgroup_version", "v2");
    setIf(r, "cpu_usage_seconds_total", cpuStat.getOrDefault("usage_usec", -1L), 1e-6);
    setIf(r, "cpu_user_seconds_total", cpuStat.getOrDefault("user_usec", -1L), 1e-6);
    setIf(r, "cpu_system_seconds_total", cpuStat.getOrDefault("system_usec", -1L), 1e-6);
    setIf(r, "cpu_cfs_periods_total", cpuStat.getOrDefault("nr_periods", -1L), 1);
    setIf(r, "cpu_cfs_throttled_periods_total", cpuStat.getOrDefault("nr_throttled", -1L), 1);
    setIf(r, "cpu_cfs_throttled_seconds_total", cpuStat.getOrDefault("throttled_usec", -1L), 1e-6);
    List<String> cpuMax = CgroupFiles.lines(d.resolve("cpu.max"));
    if (!cpuMax.isEmpty()) {
      String[] f = cpuMax.get(0).trim().split("\\s+");
      if (f.length == 2 && !f[0].equals("max")) {
        r.set("cpu_quota_cores", Double.parseDouble(f[0]) / Double.parseDouble(f[1]));
      }
    }
    long usage = CgroupFiles.number(d.resolve("memory.current"));
    setIf(r, "memory_usage_bytes", usage, 1);
    setIf(r, "memory_limit_bytes", CgroupFiles.number(d.resolve("memory.max")), 1);
    Map<String, Long> memStat = CgroupFiles.keyValues(d.resolve("memory.stat"));
    setIf(r, "memory_rss", memStat.getOrDefault("anon", -1L), 1);
    setIf(r, "memory_cache", memStat.getOrDefault("file", -1L), 1);
    if (usage >= 0 && memStat.containsKey("inactive_file")) {
      r.set("memory_working_set_bytes", Math.max(0, usage - memStat.get("inactive_file")));
    }
    Map<String, Long> events = CgroupFiles.keyValues(d.resolve("memory.events"));
    setIf(r, "memory_failcnt", events.getOrDefault("max", -1L), 1);
    setIf(r, "oom_events_total", events.getOrDefault("oom_kill", -1L), 1);
    long[] io = CgroupFiles.ioStatTotals(d.resolve("io.stat"));
    setIf(r, "blkio_read_bytes", io[0], 1);
    setIf(r, "blkio_write_bytes", io[1], 1);
    setIf(r, "blkio_read_ops", io[2], 1);
    setIf(r, "blkio_write_ops", io[3], 1);
    setPsi(r, "cpu_pressure_some_seconds", d.resolve("cpu.pressure"), "some");
    setPsi(r, "memory_pressure_some_seconds", d.resolve("memory.pressure"), "some");
    setPsi(r, "memory_pressure_full_seconds", d.resolve("memory.pressure"), "full");
    setPsi(r, "io_pressure_some_seconds", d.resolve("io.pressure"), "some");
    setPsi(r, "io_pressure_full_seconds", d.resolve("io.pressure"), "full");
    return r.build();
  }

  private static void setPsi(Row.Builder r, String metric, Path file, String kind) {
    double v = CgroupFiles.psiTotalSeconds(file, kind);
    if (v >= 0) {
      r.set(metric, v);
    }
  }

  private static void setIf(Row.Builder r, String metric, long raw, double scale) {
    if (raw >= 0) {
      r.set(metric, raw * scale);
    }
  }

  @Override
  public void close() {}
}
