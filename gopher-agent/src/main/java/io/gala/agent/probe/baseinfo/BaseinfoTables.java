package io.gala.agent.probe.baseinfo;

import io.gala.agent.table.TableDef;

/**
 * The baseinfo probe's tables. Entities and metric names are gala-gopher's system_infos probe's
 * ({@code system_cpu} + {@code system_cpu_util} -> {@code cpu}, {@code system_meminfo} -> {@code
 * mem}, {@code nic}, {@code system_iostat} -> {@code disk}, {@code system_df} -> {@code fs}, {@code
 * system_os} -> {@code host}); counts are cumulative counters here, per-period figures gauges.
 */
final class BaseinfoTables {
  private BaseinfoTables() {}

  static final TableDef CPU =
      TableDef.builder("cpu")
          .keys("cpu")
          .counter("user_msec", "milliseconds", "Time in user mode (/proc/stat)")
          .counter("nice_msec", "milliseconds", "Time in user mode at low priority")
          .counter("system_msec", "milliseconds", "Time in kernel mode")
          .counter("idle_msec", "milliseconds", "Idle time")
          .counter("iowait_msec", "milliseconds", "Idle time with I/O outstanding")
          .counter("irq_msec", "milliseconds", "Time serving hardware interrupts")
          .counter("softirq_msec", "milliseconds", "Time serving softirqs")
          .counter("steal_msec", "milliseconds", "Time stolen by the hypervisor")
          .gauge(
              "total_used_per", "%", "CPU busy (not idle, not iowait) over the last sample period")
          .counter("rcu", "", "RCU softirqs run (/proc/softirqs)")
          .counter("timer", "", "Timer softirqs run (/proc/softirqs)")
          .counter("sched", "", "Scheduler softirqs run (/proc/softirqs)")
          .counter("net_rx", "", "Network receive softirqs run (/proc/softirqs)")
          .counter(
              "backlog_drops",
              "",
              "Packets dropped because the CPU's input backlog was full (/proc/net/softnet_stat)")
          .counter(
              "rps_count",
              "",
              "Packets steered to this CPU by RPS (/proc/net/softnet_stat received_rps)")
          .gauge("mhz", "MHz", "Current clock (/proc/cpuinfo cpu MHz; absent where not shown)")
          .build();

  static final TableDef MEM;

  static {
    TableDef.Builder b = TableDef.builder("mem").keys("infos");
    MemReader.FIELDS.forEach((metric, field) -> b.gauge(metric, "kB", field + " (/proc/meminfo)"));
    MEM =
        b.gauge("util", "%", "Memory in use: 100 * (MemTotal - MemAvailable) / MemTotal")
            .gauge(
                "swap_util",
                "%",
                "Swap in use: 100 * (SwapTotal - SwapFree) / SwapTotal; 0 without swap")
            .build();
  }

  static final TableDef NIC =
      TableDef.builder("nic")
          .keys("dev_name")
          .labels("status")
          .counter("rx_bytes", "bytes", "Bytes received (/proc/net/dev)")
          .counter("rx_packets", "", "Packets received")
          .counter("rx_errs", "", "Receive errors")
          .counter("rx_dropped", "", "Received packets dropped")
          .counter("tx_bytes", "bytes", "Bytes sent")
          .counter("tx_packets", "", "Packets sent")
          .counter("tx_errs", "", "Transmit errors")
          .counter("tx_dropped", "", "Packets dropped on transmit")
          .gauge("rxspeed_KB", "KB/s", "Receive rate over the last sample period")
          .gauge("txspeed_KB", "KB/s", "Transmit rate over the last sample period")
          .build();

  static final TableDef DISK =
      TableDef.builder("disk")
          .keys("disk_name")
          .counter("reads", "", "Reads completed (/proc/diskstats)")
          .counter("writes", "", "Writes completed")
          .counter("read_bytes", "bytes", "Bytes read")
          .counter("write_bytes", "bytes", "Bytes written")
          .gauge("rspeed", "1/s", "Reads per second over the last sample period (iostat r/s)")
          .gauge("wspeed", "1/s", "Writes per second over the last sample period (iostat w/s)")
          .gauge(
              "rspeed_kB",
              "kB/s",
              "Kilobytes read per second over the last sample period (iostat rkB/s)")
          .gauge(
              "wspeed_kB",
              "kB/s",
              "Kilobytes written per second over the last sample period (iostat wkB/s)")
          .gauge(
              "r_await", "ms", "Mean time of the period's reads, queue included (iostat r_await)")
          .gauge(
              "w_await", "ms", "Mean time of the period's writes, queue included (iostat w_await)")
          .gauge("rareq", "kB", "Mean size of the period's reads (iostat rareq-sz)")
          .gauge("wareq", "kB", "Mean size of the period's writes (iostat wareq-sz)")
          .gauge("aqu", "", "Mean number of requests in flight over the period (iostat aqu-sz)")
          .gauge("util", "%", "Share of the period the device had I/O in flight (iostat %util)")
          .build();

  static final TableDef FS =
      TableDef.builder("fs")
          .keys("MountOn")
          .labels("MountStatus", "Fsname", "Fstype", "Inodes", "Blocks")
          .gauge("Used", "bytes", "Bytes used (statvfs: blocks - bfree)")
          .gauge("Free", "bytes", "Bytes available to unprivileged users (statvfs bavail)")
          .gauge("UsePer", "%", "Space used of what users can have, rounded up, as df shows it")
          .gauge("IUsed", "", "Inodes used")
          .gauge("IFree", "", "Inodes free")
          .gauge("IUsePer", "%", "Inodes used, rounded up, as df -i shows it")
          .build();

  /** One row per agent; the host is identified by the machine_id every series carries. */
  static final TableDef HOST =
      TableDef.builder("host")
          .labels(
              "os_version",
              "hostname",
              "kversion",
              "cpu_num",
              "memory_MB",
              "ip_addr",
              "host_type",
              "clock_ticks",
              "os_btime")
          .gauge("uptime_seconds", "seconds", "Time since boot (/proc/uptime)")
          .gauge("value", "", "1 while the agent reports this host (gala-gopher's system_os value)")
          .build();
}
