package io.gala.agent.probe.baseinfo;

import io.gala.agent.table.Row;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The {@code cpu} table, one row per online CPU: time by state from {@code /proc/stat} (USER_HZ
 * ticks as milliseconds), softirq counts from {@code /proc/softirqs}, backlog drops and RPS from
 * {@code /proc/net/softnet_stat}, the clock from {@code /proc/cpuinfo}, and the busy share of the
 * last sample period from the difference of two readings.
 */
final class CpuReader {
  /** sysconf(_SC_CLK_TCK): 100 on every Linux ABI (the kernel's USER_HZ, fixed by the ABI). */
  private static final long MS_PER_TICK = 10;

  private static final String[] TIMES = {
    "user_msec",
    "nice_msec",
    "system_msec",
    "idle_msec",
    "iowait_msec",
    "irq_msec",
    "softirq_msec",
    "steal_msec"
  };

  /** /proc/softirqs row -> metric. */
  private static final Map<String, String> SOFTIRQS =
      Map.of("RCU", "rcu", "TIMER", "timer", "SCHED", "sched", "NET_RX", "net_rx");

  private final Path proc;
  private final Counters counters = new Counters();

  CpuReader(Path proc) {
    this.proc = proc;
  }

  void read(Consumer<Row> sink, long nowMillis) throws IOException {
    Map<String, Map<String, Long>> softirqs = softirqs();
    Map<String, long[]> softnet = softnet();
    Map<String, Double> mhz = mhz();
    for (String line : KernelText.lines(proc.resolve("stat"))) {
      if (!line.startsWith("cpu") || line.startsWith("cpu ")) {
        continue;
      }
      String[] f = KernelText.fields(line);
      String cpu = f[0].substring(3);
      long[] ms = new long[TIMES.length];
      Row.Builder r = BaseinfoTables.CPU.row().key("cpu", cpu);
      for (int i = 0; i < TIMES.length && i + 1 < f.length; i++) {
        ms[i] = Long.parseLong(f[i + 1]) * MS_PER_TICK;
        r.set(TIMES[i], ms[i]);
      }
      Counters.Delta d = counters.delta(cpu, ms, nowMillis);
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
      softirqs.getOrDefault(cpu, Map.of()).forEach(r::set);
      long[] net = softnet.get(cpu);
      if (net != null) {
        r.set("backlog_drops", net[0]).set("rps_count", net[1]);
      }
      if (mhz.containsKey(cpu)) {
        r.set("mhz", mhz.get(cpu));
      }
      sink.accept(r.build());
    }
  }

  /** cpu -> metric -> count; empty when the file is absent. */
  private Map<String, Map<String, Long>> softirqs() throws IOException {
    Path file = proc.resolve("softirqs");
    Map<String, Map<String, Long>> out = new HashMap<>();
    if (!Files.exists(file)) {
      return out;
    }
    List<String> lines = KernelText.lines(file);
    String[] cpus = KernelText.fields(lines.get(0)); // "CPU0 CPU1 ..."
    for (String line : lines.subList(1, lines.size())) {
      String[] f = KernelText.fields(line);
      String metric = SOFTIRQS.get(f[0].replace(":", ""));
      for (int i = 1; metric != null && i < f.length && i - 1 < cpus.length; i++) {
        out.computeIfAbsent(cpus[i - 1].substring(3), c -> new HashMap<>())
            .put(metric, Long.parseLong(f[i]));
      }
    }
    return out;
  }

  /**
   * cpu -> {dropped, received_rps} from softnet_stat (hex; net/core/net-procfs.c): one line per
   * online CPU, the CPU number in column 13 since 5.10, else the line's position among online CPUs.
   */
  private Map<String, long[]> softnet() throws IOException {
    Path file = proc.resolve("net/softnet_stat");
    Map<String, long[]> out = new HashMap<>();
    if (!Files.exists(file)) {
      return out;
    }
    int line = 0;
    for (String text : KernelText.lines(file)) {
      String[] f = KernelText.fields(text);
      String cpu =
          f.length >= 13 ? Long.toString(Long.parseLong(f[12], 16)) : Integer.toString(line);
      out.put(
          cpu, new long[] {Long.parseLong(f[1], 16), f.length > 9 ? Long.parseLong(f[9], 16) : 0});
      line++;
    }
    return out;
  }

  /** cpu -> "cpu MHz" from cpuinfo (x86; absent on architectures that do not show it). */
  private Map<String, Double> mhz() throws IOException {
    Path file = proc.resolve("cpuinfo");
    Map<String, Double> out = new HashMap<>();
    if (!Files.exists(file)) {
      return out;
    }
    String cpu = null;
    for (String line : KernelText.lines(file)) {
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String key = line.substring(0, colon).trim();
      String value = line.substring(colon + 1).trim();
      if (key.equals("processor")) {
        cpu = value;
      } else if (key.equals("cpu MHz") && cpu != null) {
        out.put(cpu, Double.parseDouble(value));
      }
    }
    return out;
  }
}
