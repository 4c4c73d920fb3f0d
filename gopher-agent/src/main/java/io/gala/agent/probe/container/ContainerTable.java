package io.gala.agent.probe.container;

import io.gala.agent.table.TableDef;

/**
 * The container probe's table. Names are gala-gopher's (its cadvisor-based {@code container_cpu},
 * {@code container_memory}, {@code container_oom}, {@code container_network} tables, entity {@code
 * container}) where one exists; the CFS, limit, block I/O and pressure figures are gala's own.
 */
final class ContainerTable {
  private ContainerTable() {}

  static final TableDef CONTAINER;

  static {
    TableDef.Builder b =
        TableDef.builder("container")
            .keys("container_id")
            .labels("cgroup", "cgroup_version")
            .counter(
                "cpu_usage_seconds_total",
                "seconds",
                "CPU time used by the cgroup's tasks (v1 cpuacct.usage, v2 cpu.stat usage_usec)")
            .counter("cpu_user_seconds_total", "seconds", "CPU time in user mode")
            .counter("cpu_system_seconds_total", "seconds", "CPU time in kernel mode")
            .gauge(
                "cpu_quota_cores",
                "cores",
                "CFS quota divided by period (v1 cpu.cfs_quota_us, v2 cpu.max); absent when unlimited")
            .counter(
                "cpu_cfs_periods_total",
                "",
                "CFS enforcement periods that elapsed (cpu.stat nr_periods)")
            .counter(
                "cpu_cfs_throttled_periods_total",
                "",
                "Periods in which the cgroup used up its quota and was throttled (cpu.stat nr_throttled)")
            .counter(
                "cpu_cfs_throttled_seconds_total",
                "seconds",
                "Time the cgroup's tasks spent throttled (cpu.stat throttled_time / throttled_usec)")
            .gauge(
                "memory_usage_bytes",
                "bytes",
                "Memory charged to the cgroup, page cache included (v1 memory.usage_in_bytes, v2 memory.current)")
            .gauge(
                "memory_limit_bytes",
                "bytes",
                "Memory limit (v1 memory.limit_in_bytes, v2 memory.max); absent when unlimited")
            .gauge(
                "memory_working_set_bytes",
                "bytes",
                "Usage minus inactive file cache, as cAdvisor and the OOM killer see it")
            .gauge("memory_rss", "bytes", "Anonymous memory (v1 total_rss, v2 anon)")
            .gauge("memory_cache", "bytes", "Page cache (v1 total_cache, v2 file)")
            .gauge(
                "memory_mapped_file",
                "bytes",
                "Mapped file pages (v1 total_mapped_file, v2 file_mapped)")
            .counter(
                "memory_failcnt",
                "",
                "Times usage hit the memory limit (v1 memory.failcnt, v2 memory.events max)")
            .counter(
                "oom_events_total",
                "",
                "Tasks OOM-killed in the cgroup (v1 memory.oom_control oom_kill, v2 memory.events oom_kill)")
            .counter(
                "blkio_read_ops",
                "",
                "Read I/Os submitted (v1 blkio.throttle.io_serviced, v2 io.stat rios), all devices")
            .counter(
                "blkio_write_ops",
                "",
                "Write I/Os submitted (v1 blkio.throttle.io_serviced, v2 io.stat wios), all devices")
            .counter(
                "blkio_read_bytes",
                "bytes",
                "Bytes read (v1 blkio.throttle.io_service_bytes, v2 io.stat rbytes), all devices")
            .counter(
                "blkio_write_bytes",
                "bytes",
                "Bytes written (v1 blkio.throttle.io_service_bytes, v2 io.stat wbytes), all devices");
    for (String res : new String[] {"cpu", "memory", "io"}) {
      b.counter(
              res + "_pressure_some_seconds",
              "seconds",
              "Time at least one task stalled on " + res + " (PSI " + res + ".pressure some total)")
          .counter(
              res + "_pressure_full_seconds",
              "seconds",
              "Time all non-idle tasks stalled on "
                  + res
                  + " at once (PSI "
                  + res
                  + ".pressure full total)")
          .gauge(
              res + "_pressure_some_avg10",
              "%",
              "Share of the last 10 s with at least one task stalled on "
                  + res
                  + " (PSI some avg10)")
          .gauge(
              res + "_pressure_full_avg10",
              "%",
              "Share of the last 10 s with all non-idle tasks stalled on "
                  + res
                  + " (PSI full avg10)");
    }
    String[] help = {
      "Bytes received",
      "Packets received",
      "Receive errors",
      "Received packets dropped",
      "Bytes sent",
      "Packets sent",
      "Transmit errors",
      "Packets dropped on transmit"
    };
    for (int i = 0; i < ContainerNetwork.METRICS.length; i++) {
      b.counter(
          ContainerNetwork.METRICS[i],
          ContainerNetwork.METRICS[i].contains("bytes") ? "bytes" : "",
          help[i]
              + " on the container's interfaces but lo (/proc/<pid>/net/dev); absent when it shares the host's network namespace");
    }
    CONTAINER = b.build();
  }
}
