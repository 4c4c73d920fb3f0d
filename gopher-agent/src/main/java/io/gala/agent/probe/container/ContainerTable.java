package io.gala.agent.probe.container;

import io.gala.agent.table.TableDef;

/** The container probe's table; names follow gala-gopher's cadvisor-based container tables. */
final class ContainerTable {
  private ContainerTable() {}

  static final TableDef CONTAINER = TableDef.builder("container")
      .keys("container_id")
      .labels("cgroup", "cgroup_version")
      .counter("cpu_usage_seconds_total", "seconds", "CPU time used by the cgroup (cpuacct.usage / cpu.stat usage_usec)")
      .counter("cpu_user_seconds_total", "seconds", "CPU time in user mode")
      .counter("cpu_system_seconds_total", "seconds", "CPU time in kernel mode")
      .gauge("cpu_quota_cores", "cores", "CFS quota divided by period (absent when unlimited)")
      .counter("cpu_cfs_periods_total", "", "CFS enforcement periods that elapsed")
      .counter("cpu_cfs_throttled_periods_total", "", "Periods in which the cgroup was throttled")
      .counter("cpu_cfs_throttled_seconds_total", "seconds", "Time the cgroup's tasks were throttled")
      .gauge("memory_usage_bytes", "bytes", "Memory charged to the cgroup, page cache included")
      .gauge("memory_limit_bytes", "bytes", "Memory limit (absent when unlimited)")
      .gauge("memory_working_set_bytes", "bytes", "Usage minus inactive file cache, as the OOM killer sees it")
      .gauge("memory_rss", "bytes", "Anonymous memory")
      .gauge("memory_cache", "bytes", "Page cache")
      .counter("memory_failcnt", "", "Times the memory limit was hit (v1 memory.failcnt, v2 memory.events max)")
      .counter("oom_events_total", "", "OOM kills in the cgroup (v2 memory.events oom_kill; v1 memory.oom_control)")
      .counter("blkio_read_ops", "", "Read I/Os issued (v1 blkio.throttle.io_serviced, v2 io.stat rios)")
      .counter("blkio_write_ops", "", "Write I/Os issued")
      .counter("blkio_read_bytes", "bytes", "Bytes read")
      .counter("blkio_write_bytes", "bytes", "Bytes written")
      .counter("cpu_pressure_some_seconds", "seconds", "Time some tasks stalled on CPU (PSI, v2)")
      .counter("memory_pressure_some_seconds", "seconds", "Time some tasks stalled on memory (PSI, v2)")
      .counter("memory_pressure_full_seconds", "seconds", "Time all tasks stalled on memory (PSI, v2)")
      .counter("io_pressure_some_seconds", "seconds", "Time some tasks stalled on I/O (PSI, v2)")
      .counter("io_pressure_full_seconds", "seconds", "Time all tasks stalled on I/O (PSI, v2)")
      .build();
}
