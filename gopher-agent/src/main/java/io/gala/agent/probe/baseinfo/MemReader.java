package io.gala.agent.probe.baseinfo;

import io.gala.agent.table.Row;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The {@code mem} table: one row from {@code /proc/meminfo} (kB), with memory and swap use in
 * percent.
 */
final class MemReader {
  /** metric -> /proc/meminfo field, in gala-gopher's system_meminfo order. */
  static final Map<String, String> FIELDS =
      ordered(
          "total_kB",
          "MemTotal",
          "free_kB",
          "MemFree",
          "available_kB",
          "MemAvailable",
          "buffers_kB",
          "Buffers",
          "cache_kB",
          "Cached",
          "active_kB",
          "Active",
          "inactive_kB",
          "Inactive",
          "swap_total_kB",
          "SwapTotal",
          "swap_free_kB",
          "SwapFree",
          "slab_kB",
          "Slab",
          "SReclaimable_kB",
          "SReclaimable",
          "Unreclaim_kB",
          "SUnreclaim",
          "page_kB",
          "PageTables",
          "vmalloc_kB",
          "VmallocUsed",
          "stack_kB",
          "KernelStack",
          "active_anon_kB",
          "Active(anon)",
          "inactive_anon_kB",
          "Inactive(anon)",
          "active_file_kB",
          "Active(file)",
          "inactive_file_kB",
          "Inactive(file)",
          "mlocked",
          "Mlocked",
          "big_page_kB",
          "AnonHugePages",
          "shmem_kB",
          "Shmem");

  private final Path proc;

  MemReader(Path proc) {
    this.proc = proc;
  }

  void read(Consumer<Row> sink) throws IOException {
    Map<String, Long> kb = new HashMap<>();
    for (String line : KernelText.lines(proc.resolve("meminfo"))) {
      String[] f = KernelText.fields(line);
      if (f.length >= 2 && f[0].endsWith(":")) {
        kb.put(f[0].substring(0, f[0].length() - 1), Long.parseLong(f[1]));
      }
    }
    Row.Builder r = BaseinfoTables.MEM.row().key("infos", "mem");
    FIELDS.forEach(
        (metric, field) -> {
          if (kb.containsKey(field)) {
            r.set(metric, kb.get(field));
          }
        });
    long total = kb.getOrDefault("MemTotal", 0L);
    if (total > 0 && kb.containsKey("MemAvailable")) {
      r.set("util", 100.0 * (total - kb.get("MemAvailable")) / total);
    }
    long swap = kb.getOrDefault("SwapTotal", 0L);
    r.set("swap_util", swap > 0 ? 100.0 * (swap - kb.getOrDefault("SwapFree", swap)) / swap : 0);
    sink.accept(r.build());
  }

  private static Map<String, String> ordered(String... pairs) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put(pairs[i], pairs[i + 1]);
    }
    return Collections.unmodifiableMap(m);
  }
}
