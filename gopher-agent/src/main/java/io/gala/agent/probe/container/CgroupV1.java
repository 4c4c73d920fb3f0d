package io.gala.agent.probe.container;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads one cgroup from the v1 controllers (Documentation/admin-guide/cgroup-v1/): cpuacct for CPU
 * time, cpu for CFS quota and throttling, memory for usage, limit and failures, blkio for I/O at
 * the throttle layer (every bio, whatever the scheduler). PSI is taken from {@code <res>.pressure}
 * files in the cpuacct or cpu directory where a kernel offers PSI on v1 (some distribution kernels
 * do; upstream does not).
 */
final class CgroupV1 {
  private static final double NANOS = 1e-9;
  private static final double USER_HZ_TICK = 0.01;

  private final CgroupLayout layout;
  private final CgroupFiles files;

  CgroupV1(CgroupLayout layout, CgroupFiles files) {
    this.layout = layout;
    this.files = files;
  }

  void read(String rel, CgroupValues v) {
    Path cpu = layout.v1("cpu", rel);
    Path acct = layout.v1("cpuacct", rel);
    if (acct != null) {
      cpuTime(acct, v);
    }
    if (cpu != null) {
      throttling(cpu, v);
    }
    Path mem = layout.v1("memory", rel);
    if (mem != null) {
      memory(mem, v);
    }
    Path blk = layout.v1("blkio", rel);
    if (blk != null) {
      long[] ops = files.blkioTotals(blk.resolve("blkio.throttle.io_serviced"));
      long[] bytes = files.blkioTotals(blk.resolve("blkio.throttle.io_service_bytes"));
      v.offer("blkio_read_ops", ops[0], 1);
      v.offer("blkio_write_ops", ops[1], 1);
      v.offer("blkio_read_bytes", bytes[0], 1);
      v.offer("blkio_write_bytes", bytes[1], 1);
    }
    for (Path d : new Path[] {acct, cpu}) {
      if (d != null && Files.exists(d.resolve("cpu.pressure"))) {
        Pressure.read(files, d, v);
      }
    }
  }

  private void cpuTime(Path acct, CgroupValues v) {
    v.offer("cpu_usage_seconds_total", files.number(acct.resolve("cpuacct.usage")), NANOS);
    long user = files.number(acct.resolve("cpuacct.usage_user"));
    if (user >= 0) {
      v.offer("cpu_user_seconds_total", user, NANOS);
      v.offer("cpu_system_seconds_total", files.number(acct.resolve("cpuacct.usage_sys")), NANOS);
    } else {
      // Kernels before 4.7 have only cpuacct.stat, in USER_HZ ticks.
      Map<String, Long> stat = files.keyValues(acct.resolve("cpuacct.stat"));
      v.offer("cpu_user_seconds_total", stat.getOrDefault("user", -1L), USER_HZ_TICK);
      v.offer("cpu_system_seconds_total", stat.getOrDefault("system", -1L), USER_HZ_TICK);
    }
  }

  private void throttling(Path cpu, CgroupValues v) {
    long quota = files.number(cpu.resolve("cpu.cfs_quota_us"));
    long period = files.number(cpu.resolve("cpu.cfs_period_us"));
    if (quota > 0 && period > 0) {
      v.offer("cpu_quota_cores", (double) quota / period);
    }
    Map<String, Long> stat = files.keyValues(cpu.resolve("cpu.stat"));
    v.offer("cpu_cfs_periods_total", stat.getOrDefault("nr_periods", -1L), 1);
    v.offer("cpu_cfs_throttled_periods_total", stat.getOrDefault("nr_throttled", -1L), 1);
    v.offer("cpu_cfs_throttled_seconds_total", stat.getOrDefault("throttled_time", -1L), NANOS);
  }

  private void memory(Path mem, CgroupValues v) {
    long usage = files.number(mem.resolve("memory.usage_in_bytes"));
    v.offer("memory_usage_bytes", usage, 1);
    long limit = files.number(mem.resolve("memory.limit_in_bytes"));
    if (limit < CgroupFiles.UNLIMITED) {
      v.offer("memory_limit_bytes", limit, 1);
    }
    // total_* include descendants, as usage_in_bytes does (use_hierarchy is always 1 since 5.x).
    Map<String, Long> stat = files.keyValues(mem.resolve("memory.stat"));
    v.offer("memory_rss", hierarchical(stat, "rss"), 1);
    v.offer("memory_cache", hierarchical(stat, "cache"), 1);
    v.offer("memory_mapped_file", hierarchical(stat, "mapped_file"), 1);
    long inactiveFile = hierarchical(stat, "inactive_file");
    if (usage >= 0 && inactiveFile >= 0) {
      v.offer("memory_working_set_bytes", Math.max(0, usage - inactiveFile), 1);
    }
    v.offer("memory_failcnt", files.number(mem.resolve("memory.failcnt")), 1);
    v.offer(
        "oom_events_total",
        files.keyValues(mem.resolve("memory.oom_control")).getOrDefault("oom_kill", -1L),
        1);
  }

  private static long hierarchical(Map<String, Long> stat, String key) {
    return stat.getOrDefault("total_" + key, stat.getOrDefault(key, -1L));
  }
}
