package io.gala.agent.probe.baseinfo;

import io.gala.agent.table.Row;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The {@code disk} table, one row per whole disk (a name under {@code /sys/block}; partitions are
 * not disks) that has done any I/O: cumulative counts from {@code /proc/diskstats}
 * (Documentation/admin-guide/iostats.rst), and iostat's per-period figures from the difference with
 * the previous reading: r/s, w/s, rkB/s, wkB/s, r_await, w_await, rareq-sz, wareq-sz, aqu-sz and
 * %util.
 */
final class DiskReader {
  private static final long SECTOR = 512;
  // Indexes into the kept counters.
  private static final int READS = 0,
      READ_SECTORS = 1,
      READ_MS = 2,
      WRITES = 3,
      WRITE_SECTORS = 4,
      WRITE_MS = 5,
      IO_MS = 6,
      WEIGHTED_MS = 7;

  private final Path proc;
  private final Path sys;
  private final Counters counters = new Counters();

  DiskReader(Path proc, Path sys) {
    this.proc = proc;
    this.sys = sys;
  }

  void read(Consumer<Row> sink, long nowMillis) throws IOException {
    Set<String> seen = new HashSet<>();
    for (String line : KernelText.lines(proc.resolve("diskstats"))) {
      String[] f = KernelText.fields(line);
      if (f.length < 14 || !Files.isDirectory(sys.resolve("block").resolve(f[2]))) {
        continue;
      }
      String dev = f[2];
      // fields after the name: reads, merged, sectors, ms, writes, merged, sectors, ms, in flight,
      // io ms, weighted ms
      long[] v = {
        Long.parseLong(f[3]),
        Long.parseLong(f[5]),
        Long.parseLong(f[6]),
        Long.parseLong(f[7]),
        Long.parseLong(f[9]),
        Long.parseLong(f[10]),
        Long.parseLong(f[12]),
        Long.parseLong(f[13])
      };
      if (v[READS] == 0 && v[WRITES] == 0) {
        continue; // unused loop, ram and zram devices
      }
      seen.add(dev);
      Row.Builder r =
          BaseinfoTables.DISK
              .row()
              .key("disk_name", dev)
              .set("reads", v[READS])
              .set("writes", v[WRITES])
              .set("read_bytes", v[READ_SECTORS] * SECTOR)
              .set("write_bytes", v[WRITE_SECTORS] * SECTOR);
      Counters.Delta delta = counters.delta(dev, v, nowMillis);
      if (delta != null) {
        iostat(r, delta.d(), delta.millis());
      }
      sink.accept(r.build());
    }
    counters.retain(seen);
  }

  /**
   * iostat -x's formulas (sysstat rd_stats.c compute_ext_disk_stats), over a period of ms
   * milliseconds.
   */
  private static void iostat(Row.Builder r, long[] d, long ms) {
    double secs = ms / 1000.0;
    double readKb = d[READ_SECTORS] * SECTOR / 1024.0;
    double writeKb = d[WRITE_SECTORS] * SECTOR / 1024.0;
    r.set("rspeed", d[READS] / secs)
        .set("wspeed", d[WRITES] / secs)
        .set("rspeed_kB", readKb / secs)
        .set("wspeed_kB", writeKb / secs)
        .set("r_await", d[READS] > 0 ? (double) d[READ_MS] / d[READS] : 0)
        .set("w_await", d[WRITES] > 0 ? (double) d[WRITE_MS] / d[WRITES] : 0)
        .set("rareq", d[READS] > 0 ? readKb / d[READS] : 0)
        .set("wareq", d[WRITES] > 0 ? writeKb / d[WRITES] : 0)
        .set("aqu", d[WEIGHTED_MS] / (double) ms)
        .set("util", Math.min(100.0, 100.0 * d[IO_MS] / ms));
  }
}
