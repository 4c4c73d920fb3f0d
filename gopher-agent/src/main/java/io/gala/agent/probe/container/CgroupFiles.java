package io.gala.agent.probe.container;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Readers for cgroup interface files (Documentation/admin-guide/cgroup-v2.rst, cgroup-v1/*.rst): a
 * single number, flat "key value" files, PSI lines and per-device I/O totals. A missing file is
 * normal (the controller is not there) and reads as absent; a file that does not parse is counted
 * in {@link #malformed()} and logged, then read as absent, so one odd file never hides the rest of
 * a row.
 */
final class CgroupFiles {
  private static final Logger LOG = Logger.getLogger(CgroupFiles.class.getName());

  /** v1 reports "no limit" as a page-rounded LONG_MAX; anything this large is no limit. */
  static final long UNLIMITED = 1L << 60;

  /** One PSI line: the share of the last 10 s stalled (%) and the total stall time (µs). */
  record Psi(double avg10, long totalMicros) {}

  private long malformed;

  /** Files that existed but did not parse, since the probe started. */
  long malformed() {
    return malformed;
  }

  /** The file's first number; -1 when absent, "max" (no limit) or malformed. */
  long number(Path file) {
    long[] n = numbers(file);
    return n.length == 0 ? -1 : n[0];
  }

  /** The numbers on the file's first line ("max" and malformed ones as -1); empty when absent. */
  long[] numbers(Path file) {
    List<String> lines = lines(file);
    if (lines.isEmpty() || lines.get(0).isBlank()) {
      return new long[0];
    }
    String[] f = lines.get(0).trim().split("\\s+");
    long[] out = new long[f.length];
    for (int i = 0; i < f.length; i++) {
      out[i] = f[i].equals("max") ? -1 : parse(file, f[i]);
    }
    return out;
  }

  /**
   * Flat keyed files (cpu.stat, memory.stat, memory.events, cpuacct.stat): key -> value; empty when
   * absent.
   */
  Map<String, Long> keyValues(Path file) {
    Map<String, Long> out = new HashMap<>();
    for (String line : lines(file)) {
      String[] f = line.trim().split("\\s+");
      if (f.length == 2) {
        long v = parse(file, f[1]);
        if (v >= 0) {
          out.put(f[0], v);
        }
      }
    }
    return out;
  }

  /**
   * A pressure file ({@code some avg10=1.50 avg60=.. avg300=.. total=<us>} and the same for {@code
   * full}): kind ("some", "full") -> figures; empty when absent (no PSI, or {@code psi=0}).
   */
  Map<String, Psi> psi(Path file) {
    Map<String, Psi> out = new HashMap<>();
    for (String line : lines(file)) {
      String[] f = line.trim().split("\\s+");
      double avg10 = -1;
      long total = -1;
      for (int i = 1; i < f.length; i++) {
        if (f[i].startsWith("avg10=")) {
          avg10 = parseDouble(file, f[i].substring(6));
        } else if (f[i].startsWith("total=")) {
          total = parse(file, f[i].substring(6));
        }
      }
      if (avg10 >= 0 && total >= 0) {
        out.put(f[0], new Psi(avg10, total));
      }
    }
    return out;
  }

  /**
   * v1 {@code blkio.throttle.io_serviced} / {@code io_service_bytes} summed over devices: lines
   * {@code maj:min Read|Write|Sync|Async|Discard|Total N}; returns {read, write}, -1 when absent.
   */
  long[] blkioTotals(Path file) {
    long[] rw = {-1, -1};
    for (String line : lines(file)) {
      String[] f = line.trim().split("\\s+");
      if (f.length != 3) {
        continue; // the last line, "Total N", sums the devices again
      }
      int i = f[1].equals("Read") ? 0 : f[1].equals("Write") ? 1 : -1;
      long v = i >= 0 ? parse(file, f[2]) : -1;
      if (v >= 0) {
        rw[i] = Math.max(rw[i], 0) + v;
      }
    }
    return rw;
  }

  /**
   * v2 {@code io.stat} summed over devices ({@code maj:min rbytes=.. wbytes=.. rios=.. wios=..}).
   */
  long[] ioStatTotals(Path file) {
    String[] keys = {"rbytes", "wbytes", "rios", "wios"};
    long[] v = {-1, -1, -1, -1};
    for (String line : lines(file)) {
      for (String field : line.trim().split("\\s+")) {
        int eq = field.indexOf('=');
        for (int i = 0; eq > 0 && i < keys.length; i++) {
          if (field.regionMatches(0, keys[i], 0, eq) && keys[i].length() == eq) {
            long x = parse(file, field.substring(eq + 1));
            if (x >= 0) {
              v[i] = Math.max(v[i], 0) + x;
            }
          }
        }
      }
    }
    return v;
  }

  /** The file's lines; empty when it does not exist (controller absent, cgroup just removed). */
  List<String> lines(Path file) {
    try {
      return Files.readAllLines(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      // EACCES, ENODEV on a cgroup being removed: count it, the row goes out without this file.
      malformed(file, e.toString());
      return List.of();
    }
  }

  private long parse(Path file, String text) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      malformed(file, "not a number: " + text);
      return -1;
    }
  }

  private double parseDouble(Path file, String text) {
    try {
      return Double.parseDouble(text);
    } catch (NumberFormatException e) {
      malformed(file, "not a number: " + text);
      return -1;
    }
  }

  private void malformed(Path file, String what) {
    malformed++;
    if (malformed <= 5 || malformed % 1000 == 0) {
      LOG.warning("container: skipped " + file + " (" + what + "); " + malformed + " so far");
    }
  }
}
