package io.gala.agent.probe.baseinfo;

import io.gala.agent.table.TableDef;

/** The baseinfo probe's tables; names follow gala-gopher's system_infos probe. */
final class BaseinfoTables {
  private BaseinfoTables() {}

  static final TableDef CPU = TableDef.builder("cpu")
      .keys("cpu")
      .counter("user_msec", "milliseconds", "Time in user mode (/proc/stat)")
      .counter("nice_msec", "milliseconds", "Time in user mode at low priority")
      .counter("system_msec", "milliseconds", "Time in kernel mode")
      .counter("idle_msec", "milliseconds", "Idle time")
      .counter("iowait_msec", "milliseconds", "Idle time with I/O outstanding")
      .counter("irq_msec", "milliseconds", "Time serving hardware interrupts")
      .counter("softirq_msec", "milliseconds", "Time serving softirqs")
      .counter("steal_msec", "milliseconds", "Time stolen by the hypervisor")
      .gauge("total_used_per", "%", "CPU busy over the last sample period")
      .build();

  static final TableDef MEM = TableDef.builder("mem")
      .keys("infos")
      .gauge("total_kB", "kB", "MemTotal")
      .gauge("free_kB", "kB", "MemFree")
      .gauge("available_kB", "kB", "MemAvailable")
      .gauge("util", "%", "Memory used: 100 * (1 - MemAvailable / MemTotal)")
      .gauge("buffers_kB", "kB", "Buffers")
      .gauge("cache_kB", "kB", "Cached")
      .gauge("swap_total_kB", "kB", "SwapTotal")
      .gauge("swap_free_kB", "kB", "SwapFree")
      .gauge("swap_util", "%", "Swap used")
      .build();

  static final TableDef NIC = TableDef.builder("nic")
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

  static final TableDef DISK = TableDef.builder("disk")
      .keys("disk_name")
      .counter("reads", "", "Reads completed (/proc/diskstats)")
      .counter("writes", "", "Writes completed")
      .counter("read_bytes", "bytes", "Bytes read")
      .counter("write_bytes", "bytes", "Bytes written")
      .gauge("rspeed", "1/s", "Reads per second over the last sample period")
      .gauge("wspeed", "1/s", "Writes per second over the last sample period")
      .gauge("r_await", "ms", "Mean read time over the last sample period (iostat r_await)")
      .gauge("w_await", "ms", "Mean write time over the last sample period (iostat w_await)")
      .gauge("aqu", "", "Mean queue size over the last sample period (iostat aqu-sz)")
      .gauge("util", "%", "Time the device was busy over the last sample period (iostat %util)")
      .build();

  static final TableDef FS = TableDef.builder("fs")
      .keys("MountOn")
      .labels("Fsname", "Fstype")
      .gauge("Used", "bytes", "Bytes used")
      .gauge("Free", "bytes", "Bytes available to unprivileged users")
      .gauge("UsePer", "%", "Space used, as df shows it")
      .gauge("IUsed", "", "Inodes used")
      .gauge("IFree", "", "Inodes free")
      .gauge("IUsePer", "%", "Inodes used")
      .build();

  /** One row per agent; the host is identified by the machine_id every series carries. */
  static final TableDef HOST = TableDef.builder("host")
      .labels("hostname", "kversion", "os_version", "cpu_num", "memory_MB", "ip_addr")
      .gauge("uptime_seconds", "seconds", "Time since boot (/proc/uptime)")
      .gauge("up", "", "1 while the agent reports this host")
      .build();
}
