package io.gala.agent.probe.container;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Small readers for cgroup interface files: a number, "key value" lines, PSI and blkio/io.stat totals. */
final class CgroupFiles {
  /** v1 reports an unlimited memory limit as a page-rounded LONG_MAX. */
  static final long UNLIMITED = 1L << 60;

  private CgroupFiles() {}

  /** The file's first number, or -1 when absent or "max". */
  static long number(Path file) {
    try {
      String s = Files.readString(file, StandardCharsets.US_ASCII).trim().split("\\s+")[0];
      return s.equals("max") ? -1 : Long.parseLong(s);
    } catch (IOException | NumberFormatException | ArrayIndexOutOfBoundsException e) {
      return -1;
    }
  }

  /** "key value" lines (cpu.stat, memory.stat, memory.events, cpuacct.stat); empty when absent. */
  static Map<String, Long> keyValues(Path file) {
    Map<String, Long> out = new HashMap<>();
    for (String line : lines(file)) {
      String[] f = line.trim().split("\\s+");
      if (f.length == 2) {
        try {
          out.put(f[0], Long.parseLong(f[1]));
        } catch (NumberFormatException e) {
          // not a counter line
        }
      }
    }
    return out;
  }

  /** PSI file: "some|full avg10=.. avg60=.. avg300=.. total=<us>" -> total in seconds, or -1. */
  static double psiTotalSeconds(Path file, String kind) {
    for (String line : lines(file)) {
      if (line.startsWith(kind + " ")) {
        for (String f : line.split(" ")) {
          if (f.startsWith("total=")) {
            return Long.parseLong(f.substring(6)) / 1e6;
          }
        }
      }
    }
    return -1;
  }

  /** v1 blkio.throttle.* totals over devices: "maj:min Read|Write N" lines -> [read, write]. */
  static long[] blkioTotals(Path file) {
    long[] rw = {-1, -1};
    for (String line : lines(file)) {
      String[] f = line.trim().split("\\s+");
      if (f.length == 3) {
        int i = f[1].equals("Read") ? 0 : f[1].equals("Write") ? 1 : -1;
        if (i >= 0) {
          rw[i] = Math.max(rw[i], 0) + Long.parseLong(f[2]);
        }
      }
    }
    return rw;
  }

  /** v2 io.stat totals over devices -> [rbytes, wbytes, rios, wios]. */
  static long[] ioStatTotals(Path file) {
    long[] v = {-1, -1, -1, -1};
    String[] keys = {"rbytes", "wbytes", "rios", "wios"};
    for (String line : lines(file)) {
      for (String f : line.trim().split("\\s+")) {
        int eq = f.indexOf('=');
        for (int i = 0; eq > 0 && i < keys.length; i++) {
          if (f.substring(0, eq).equals(keys[i])) {
            v[i] = Math.max(v[i], 0) + Long.parseLong(f.substring(eq + 1));
          }
        }
      }
    }
    return v;
  }

  static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      return List.of();
    }
  }
}
