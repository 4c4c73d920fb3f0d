package io.gala.agent.probe.baseinfo;

import io.gala.agent.bpf.StatFs;
import io.gala.agent.table.Row;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Turns the kernel's own text files (/proc/stat, /proc/meminfo, /proc/net/dev, /proc/diskstats,
 * /proc/mounts, /proc/uptime) into baseinfo rows. Takes the root of /proc and /sys so that tests can
 * point it at fixtures.
 */
final class SystemFiles {
  /** Pseudo file systems that df hides too. */
  private static final Set<String> REAL_FS = Set.of("ext2", "ext3", "ext4", "xfs", "btrfs", "vfat", "f2fs",
      "overlay", "zfs", "nfs", "nfs4", "cifs", "fuseblk", "exfat", "ntfs", "jfs", "reiserfs");
  private static final long USER_HZ = 100;
  private static final long SECTOR = 512;

  private final Path proc;
  private final Path sys;
  private final Counters cpuCounters = new Counters();
  private final Counters nicCounters = new Counters();
  private final Counters diskCounters = new Counters();

  SystemFiles(Path proc, Path sys) {
    this.proc = proc;
    this.sys = sys;
  }

  private static List<String> lines(Path p) throws IOException {
    return Files.readAllLines(p, StandardCharsets.US_ASCII);
  }

  void cpu(Consumer<Row> sink, long nowMillis) throws IOException {
    for (String line : lines(proc.resolve("stat"))) {
      if (!line.startsWith("cpu") || line.startsWith("cpu ")) {
        continue;
      }
      String[] f = line.trim().split("\\s+");
      String cpu = f[0].substring(3);
      long[] v = new long[8];
      for (int i = 0; i < 8 && i + 1 < f.length; i++) {
        v[i] = Long.parseLong(f[i + 1]) * 1000 / USER_HZ;
      }
      Row.Builder r = BaseinfoTables.CPU.row().key("cpu", cpu)
          .set("user_msec", v[0]).set("nice_msec", v[1]).set("system_msec", v[2]).set("idle_msec", v[3])
          .set("iowait_msec", v[4]).set("irq_msec", v[5]).set("softirq_msec", v[6]).set("steal_msec", v[7]);
      Counters.Delta d = cpuCounters.delta(cpu, v, nowMillis);
      if (d != null) {
        long total = 0;
        for (long x : d.d()) {
          total += x;
        }
        long idle = d.d()[3] + d.d()[4];
        if (total > 0) {
          r.set("total_used_per", 100.0 * (total - idle) / total);
        }
      }
      sink.accept(r.build());
    }
  }

  void mem(Consumer<Row> sink) throws IOException {
    long total = -1, free = -1, avail = -1, buffers = -1, cached = -1, swapTotal = -1, swapFree = -1;
    for (String line : lines(proc.resolve("meminfo"))) {
      String[] f = line.split("\\s+");
      long v = f.length > 1 ? Long.parseLong(f[1]) : -1;
      switch (f[0]) {
        case "MemTotal:" -> total = v;
        case "MemFree:" -> free = v;
        case "MemAvailable:" -> avail = v;
        case "Buffers:" -> buffers = v;
        case "Cached:" -> cached = v;
        case "SwapTotal:" -> swapTotal = v;
        case "SwapFree:" -> swapFree = v;
        default -> { }
      }
    }
    Row.Builder r = BaseinfoTables.MEM.row().key("infos", "mem")
        .set("total_kB", total).set("free_kB", free).set("available_kB", avail).set("buffers_kB", buffers)
        .set("cache_kB", cached).set("swap_total_kB", swapTotal).set("swap_free_kB", swapFree);
    if (total > 0) {
      r.set("util", 100.0 * (total - avail) / total);
    }
    r.set("swap_util", swapTotal > 0 ? 100.0 * (swapTotal - swapFree) / swapTotal : 0);
    sink.accept(r.build());
  }

  /** NIC rows from a net/dev file: /proc/net/dev, or /proc/<pid>/net/dev for another namespace. */
  void nic(Consumer<Row> sink, Path netDev, boolean hostNamespace, long nowMillis) throws IOException {
    Set<String> seen = new HashSet<>();
    for (String line : lines(netDev)) {
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String dev = line.substring(0, colon).trim();
      String[] f = line.substring(colon + 1).trim().split("\\s+");
      long[] v = {Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]),
          Long.parseLong(f[8]), Long.parseLong(f[9]), Long.parseLong(f[10]), Long.parseLong(f[11])};
      seen.add(dev);
      Row.Builder r = BaseinfoTables.NIC.row().key("dev_name", dev)
          .set("rx_bytes", v[0]).set("rx_packets", v[1]).set("rx_errs", v[2]).set("rx_dropped", v[3])
          .set("tx_bytes", v[4]).set("tx_packets", v[5]).set("tx_errs", v[6]).set("tx_dropped", v[7]);
      if (hostNamespace) {
        r.label("status", readFirstLine(sys.resolve("class/net").resolve(dev).resolve("operstate")));
      }
      Counters.Delta d = nicCounters.delta(dev, v, nowMillis);
      if (d != null) {
        r.set("rxspeed_KB", d.d()[0] / 1024.0 / (d.millis() / 1000.0));
        r.set("txspeed_KB", d.d()[4] / 1024.0 / (d.millis() / 1000.0));
      }
      sink.accept(r.build());
    }
    nicCounters.retain(seen);
  }

  /** Whole disks (those under /sys/block) that have done any I/O. */
  void disk(Consumer<Row> sink, long nowMillis) throws IOException {
    Set<String> seen = new HashSet<>();
    for (String line : lines(proc.resolve("diskstats"))) {
      String[] f = line.trim().split("\\s+");
      if (f.length < 14 || !Files.isDirectory(sys.resolve("block").resolve(f[2]))) {
        continue;
      }
      String dev = f[2];
      // reads, sectors read, ms reading, writes, sectors written, ms writing, ms doing I/O, weighted ms
      long[] v = {Long.parseLong(f[3]), Long.parseLong(f[5]), Long.parseLong(f[6]), Long.parseLong(f[7]),
          Long.parseLong(f[9]), Long.parseLong(f[10]), Long.parseLong(f[12]), Long.parseLong(f[13])};
      if (v[0] == 0 && v[3] == 0) {
        continue;
      }
      seen.add(dev);
      Row.Builder r = BaseinfoTables.DISK.row().key("disk_name", dev)
          .set("reads", v[0]).set("writes", v[3]).set("read_bytes", v[1] * SECTOR).set("write_bytes", v[4] * SECTOR);
      Counters.Delta delta = diskCounters.delta(dev, v, nowMillis);
      if (delta != null) {
        long[] d = delta.d();
        double secs = delta.millis() / 1000.0;
        r.set("rspeed", d[0] / secs).set("wspeed", d[3] / secs)
            .set("r_await", d[0] > 0 ? (double) d[2] / d[0] : 0)
            .set("w_await", d[3] > 0 ? (double) d[5] / d[3] : 0)
            .set("aqu", d[7] / (double) delta.millis())
            .set("util", Math.min(100.0, 100.0 * d[6] / delta.millis()));
      }
      sink.accept(r.build());
    }
    diskCounters.retain(seen);
  }

  void fs(Consumer<Row> sink) throws IOException {
    Set<String> mounts = new HashSet<>();
    for (String line : lines(proc.resolve("mounts"))) {
      String[] f = line.split(" ");
      if (f.length < 3 || !REAL_FS.contains(f[2]) || !mounts.add(f[1])) {
        continue;
      }
      String mountOn = f[1].replace("\\040", " ");
      StatFs s = StatFs.of(mountOn);
      if (s == null || s.blocks() == 0) {
        continue;
      }
      long used = (s.blocks() - s.blocksFree()) * s.fragmentSize();
      long avail = s.blocksAvailable() * s.fragmentSize();
      long iused = s.files() - s.filesFree();
      sink.accept(BaseinfoTables.FS.row().key("MountOn", mountOn).label("Fsname", f[0]).label("Fstype", f[2])
          .set("Used", used).set("Free", avail)
          .set("UsePer", used + avail > 0 ? Math.ceil(100.0 * used / (used + avail)) : 0)
          .set("IUsed", iused).set("IFree", s.filesFree())
          .set("IUsePer", s.files() > 0 ? Math.ceil(100.0 * iused / s.files()) : 0)
          .build());
    }
  }

  double uptimeSeconds() throws IOException {
    return Double.parseDouble(readFirstLine(proc.resolve("uptime")).split(" ")[0]);
  }

  static String readFirstLine(Path p) {
    try {
      List<String> l = Files.readAllLines(p, StandardCharsets.UTF_8);
      return l.isEmpty() ? "" : l.get(0).trim();
    } catch (IOException e) {
      return "";
    }
  }
}
