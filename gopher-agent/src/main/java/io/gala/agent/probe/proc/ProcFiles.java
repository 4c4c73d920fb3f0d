package io.gala.agent.probe.proc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What /proc/<pid>/{stat,io,fd} say about a process; fields are -1 when unreadable. */
record ProcFiles(long ppid, long minflt, long majflt, long utime, long stime, long numThreads, long vsize,
    long rssPages, long fdCount, long rchar, long wchar, long syscr, long syscw, long readBytes, long writeBytes) {

  /** Process ids listed in a /proc directory. */
  static List<Long> pids(Path proc) throws IOException {
    List<Long> pids = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(proc)) {
      for (Path p : ds) {
        String n = p.getFileName().toString();
        if (!n.isEmpty() && Character.isDigit(n.charAt(0))) {
          try {
            pids.add(Long.parseLong(n));
          } catch (NumberFormatException e) {
            // not a process directory
          }
        }
      }
    }
    return pids;
  }

  /** Reads one process; null when it is gone. */
  static ProcFiles read(Path proc, long pid) {
    Path dir = proc.resolve(Long.toString(pid));
    String stat;
    try {
      stat = Files.readString(dir.resolve("stat"), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      return null;
    }
    // comm may hold spaces and parentheses: fields start after the last ')'.
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    // f[0] is field 3 (state) of proc(5); field n is f[n - 3].
    long[] io = readIo(dir.resolve("io"));
    return new ProcFiles(num(f, 4), num(f, 10), num(f, 12), num(f, 14), num(f, 15), num(f, 20),
        num(f, 23), num(f, 24), fdCount(dir.resolve("fd")), io[0], io[1], io[2], io[3], io[4], io[5]);
  }

  private static long num(String[] f, int field) {
    int i = field - 3;
    return i < f.length ? Long.parseLong(f[i]) : -1;
  }

  private static long[] readIo(Path io) {
    long[] v = {-1, -1, -1, -1, -1, -1};
    String[] names = {"rchar", "wchar", "syscr", "syscw", "read_bytes", "write_bytes"};
    try {
      for (String line : Files.readAllLines(io, StandardCharsets.US_ASCII)) {
        int colon = line.indexOf(':');
        for (int i = 0; i < names.length; i++) {
          if (colon > 0 && line.substring(0, colon).equals(names[i])) {
            v[i] = Long.parseLong(line.substring(colon + 1).trim());
          }
        }
      }
    } catch (IOException | NumberFormatException e) {
      // kernel threads and vanished processes have no readable io
    }
    return v;
  }

  private static long fdCount(Path fd) {
    long n = 0;
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(fd)) {
      for (Path ignored : ds) {
        n++;
      }
    } catch (IOException e) {
      return -1;
    }
    return n;
  }
}
