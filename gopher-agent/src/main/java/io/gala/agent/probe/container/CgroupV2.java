package io.gala.agent.probe.container;

import java.nio.file.Path;
import java.util.Map;

/**
 * Reads one cgroup of the unified hierarchy (Documentation/admin-guide/cgroup-v2.rst). {@code
 * cpu.stat}'s usage and the pressure files exist in every cgroup; quota, throttling, memory and io
 * figures only where their controller is enabled, which in hybrid mode is usually none of them.
 */
final class CgroupV2 {
  private static final double MICROS = 1e-6;

  private final CgroupFiles files;

  CgroupV2(CgroupFiles files) {
    this.files = files;
  }

  void read(Path d, CgroupValues v) {
    Map<String, Long> cpu = files.keyValues(d.resolve("cpu.stat"));
    v.offer("cpu_usage_seconds_total", cpu.getOrDefault("usage_usec", -1L), MICROS);
    v.offer("cpu_user_seconds_total", cpu.getOrDefault("user_usec", -1L), MICROS);
    v.offer("cpu_system_seconds_total", cpu.getOrDefault("system_usec", -1L), MICROS);
    long[] max =
        files.numbers(d.resolve("cpu.max")); // "<quota> <period>" in µs, quota "max" when unlimited
    if (max.length == 2 && max[0] > 0 && max[1] > 0) {
      v.offer("cpu_quota_cores", (double) max[0] / max[1]);
    }
    v.offer("cpu_cfs_periods_total", cpu.getOrDefault("nr_periods", -1L), 1);
    v.offer("cpu_cfs_throttled_periods_total", cpu.getOrDefault("nr_throttled", -1L), 1);
    v.offer("cpu_cfs_throttled_seconds_total", cpu.getOrDefault("throttled_usec", -1L), MICROS);
    memory(d, v);
    long[] io = files.ioStatTotals(d.resolve("io.stat"));
    v.offer("blkio_read_bytes", io[0], 1);
    v.offer("blkio_write_bytes", io[1], 1);
    v.offer("blkio_read_ops", io[2], 1);
    v.offer("blkio_write_ops", io[3], 1);
    Pressure.read(files, d, v);
  }

  private void memory(Path d, CgroupValues v) {
    long usage = files.number(d.resolve("memory.current"));
    v.offer("memory_usage_bytes", usage, 1);
    v.offer("memory_limit_bytes", files.number(d.resolve("memory.max")), 1); // "max": absent
    Map<String, Long> stat = files.keyValues(d.resolve("memory.stat"));
    v.offer("memory_rss", stat.getOrDefault("anon", -1L), 1);
    v.offer("memory_cache", stat.getOrDefault("file", -1L), 1);
    v.offer("memory_mapped_file", stat.getOrDefault("file_mapped", -1L), 1);
    long inactiveFile = stat.getOrDefault("inactive_file", -1L);
    if (usage >= 0 && inactiveFile >= 0) {
      v.offer("memory_working_set_bytes", Math.max(0, usage - inactiveFile), 1);
    }
    // "max": times usage was about to go over memory.max (v1 failcnt's closest relative).
    Map<String, Long> events = files.keyValues(d.resolve("memory.events"));
    v.offer("memory_failcnt", events.getOrDefault("max", -1L), 1);
    v.offer("oom_events_total", events.getOrDefault("oom_kill", -1L), 1);
  }
}
