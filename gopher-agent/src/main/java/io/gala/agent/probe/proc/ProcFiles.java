package io.gala.agent.probe.proc;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What /proc/<pid>/{stat,io,fd} say about a process (proc(5)); numbers are -1 when unreadable.
 * Times are in USER_HZ ticks, {@code rssPages} in pages, {@code startTicks} in ticks since boot.
 */
record ProcFiles(
    char state,
    long ppid,
    long pgid,
    long minflt,
    long majflt,
    long utime,
    long stime,
    long numThreads,
    long startTicks,
    long vsize,
    long rssPages,
    long fdCount,
    long rchar,
    long wchar,
    long syscr,
    long syscw,
    long readBytes,
    long writeBytes,
    long cancelledWriteBytes) {

  private static final String[] IO_FIELDS = {
    "rchar", "wchar", "syscr", "syscw", "read_bytes", "write_bytes", "cancelled_write_bytes"
  };
  private static final long AT_PAGESZ = 6;
  private static final Path PROCFS = Path.of("/proc");

  boolean zombie() {
    return state == 'Z' || state == 'X';
  }

  /** Process ids listed in a /proc directory. */
  static List<Long> pids(Path proc) throws IOException {
    List<Long> pids = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(proc)) {
      for (Path p : ds) {
        String n = p.getFileName().toString();
        if (!n.isEmpty() && n.chars().allMatch(Character::isDigit)) {
          pids.add(Long.parseLong(n));
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
    return new ProcFiles(
        f[0].charAt(0),
        num(f, 4),
        num(f, 5),
        num(f, 10),
        num(f, 12),
        num(f, 14),
        num(f, 15),
        num(f, 20),
        num(f, 22),
        num(f, 23),
        num(f, 24),
        fdCount(dir.resolve("fd"), proc.equals(PROCFS)),
        io[0],
        io[1],
        io[2],
        io[3],
        io[4],
        io[5],
        io[6]);
  }

  private static long num(String[] f, int field) {
    int i = field - 3;
    return i < f.length ? Long.parseLong(f[i]) : -1;
  }

  private static long[] readIo(Path io) {
    long[] v = {-1, -1, -1, -1, -1, -1, -1};
    try {
      for (String line : Files.readAllLines(io, StandardCharsets.US_ASCII)) {
        int colon = line.indexOf(':');
        for (int i = 0; colon > 0 && i < IO_FIELDS.length; i++) {
          if (line.substring(0, colon).equals(IO_FIELDS[i])) {
            v[i] = Long.parseLong(line.substring(colon + 1).trim());
          }
        }
      }
    } catch (IOException | NumberFormatException e) {
      // kernel threads and vanished processes have no readable io
    }
    return v;
  }

  private static long fdCount(Path fd, boolean procfs) {
    // Since 6.2 the size of /proc/<pid>/fd is its number of open files: one stat() instead of a
    // walk
    // of every fd (hundreds for a JVM or a database). Older kernels say 0 there; a copied tree
    // (tests)
    // has a directory's size.
    if (procfs) {
      try {
        long size = Files.size(fd);
        if (size > 0) {
          return size;
        }
      } catch (IOException e) {
        return -1;
      }
    }
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

  /** The soft limit of open files from /proc/<pid>/limits; -1 when unlimited or unreadable. */
  static long fdLimit(Path proc, long pid) {
    try {
      for (String line :
          Files.readAllLines(proc.resolve(pid + "/limits"), StandardCharsets.US_ASCII)) {
        if (line.startsWith("Max open files")) {
          String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
          return soft.equals("unlimited") ? -1 : Long.parseLong(soft);
        }
      }
    } catch (IOException | NumberFormatException e) {
      // gone, or a format this parser does not know: no fd_free_per then
    }
    return -1;
  }

  /** Boot time in seconds since the epoch ({@code btime} of /proc/stat); 0 when unreadable. */
  static long bootTime(Path proc) {
    try {
      for (String line : Files.readAllLines(proc.resolve("stat"), StandardCharsets.US_ASCII)) {
        if (line.startsWith("btime ")) {
          return Long.parseLong(line.substring(6).trim());
        }
      }
    } catch (IOException | NumberFormatException e) {
      // start_time labels are left out then
    }
    return 0;
  }

  /**
   * The page size RSS is counted in, from the auxiliary vector of the agent itself (AT_PAGESZ): 4
   * KiB on x86, 4 or 64 KiB on arm64 depending on the kernel build. 4096 when unreadable.
   */
  static long pageSize(Path proc) {
    try {
      ByteBuffer auxv =
          ByteBuffer.wrap(Files.readAllBytes(proc.resolve("self/auxv")))
              .order(ByteOrder.nativeOrder());
      while (auxv.remaining() >= 16) {
        long type = auxv.getLong();
        long value = auxv.getLong();
        if (type == AT_PAGESZ) {
          return value;
        }
      }
    } catch (IOException e) {
      // fall through to the common size
    }
    return 4096;
  }
}
