package io.gala.agent.probe.proc;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import jnr.ffi.Pointer;

/**
 * Java mirror of {@code struct proc_stats} in proc.h, read at the offsets below; a test checks the
 * size and every offset against the object's BTF. {@code runqMaxNs} is the longest run-queue wait
 * that ended in the sample period just closed (0 when none did).
 */
record ProcStats(
    long runqDelayNs,
    long runqCount,
    long runqMaxNs,
    long forkCount,
    long execCount,
    long oomKills,
    long syscallFailed,
    long exitNs,
    long exitCpuNs,
    long exitUtimeNs,
    long exitStimeNs,
    int exitCode,
    long exitPpid,
    String exitComm) {
  static final int SIZE = 136;
  static final int COMM_LEN = 16;

  /** Offsets of the fields in C, by C name. */
  static final Map<String, Integer> OFFSETS =
      Map.ofEntries(
          Map.entry("runq_delay_ns", 0),
          Map.entry("runq_count", 8),
          Map.entry("runq_max_ns", 16),
          Map.entry("runq_max_period", 32),
          Map.entry("fork_count", 48),
          Map.entry("exec_count", 56),
          Map.entry("oom_kills", 64),
          Map.entry("syscall_failed", 72),
          Map.entry("exit_ns", 80),
          Map.entry("exit_cpu_ns", 88),
          Map.entry("exit_utime_ns", 96),
          Map.entry("exit_stime_ns", 104),
          Map.entry("exit_code", 112),
          Map.entry("exit_ppid", 116),
          Map.entry("exit_comm", 120));

  static final ProcStats NONE = new ProcStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, "");

  /** Reads one value; {@code endedPeriod} is the sample period whose maximum to take. */
  static ProcStats read(Pointer p, long endedPeriod) {
    int slot = (int) (endedPeriod & 1);
    long max =
        p.getLong(off("runq_max_period") + 8L * slot) == endedPeriod
            ? p.getLong(off("runq_max_ns") + 8L * slot)
            : 0;
    byte[] comm = new byte[COMM_LEN];
    p.get(off("exit_comm"), comm, 0, COMM_LEN);
    int len = 0;
    while (len < COMM_LEN && comm[len] != 0) {
      len++;
    }
    return new ProcStats(
        p.getLong(off("runq_delay_ns")),
        p.getLong(off("runq_count")),
        max,
        p.getLong(off("fork_count")),
        p.getLong(off("exec_count")),
        p.getLong(off("oom_kills")),
        p.getLong(off("syscall_failed")),
        p.getLong(off("exit_ns")),
        p.getLong(off("exit_cpu_ns")),
        p.getLong(off("exit_utime_ns")),
        p.getLong(off("exit_stime_ns")),
        p.getInt(off("exit_code")),
        Integer.toUnsignedLong(p.getInt(off("exit_ppid"))),
        new String(comm, 0, len, StandardCharsets.UTF_8));
  }

  private static int off(String field) {
    return OFFSETS.get(field);
  }

  boolean exited() {
    return exitNs != 0;
  }

  /**
   * The exit status as a shell shows it: the status passed to exit(), or 128 + the signal that
   * killed the process (137 for SIGKILL, the OOM killer's).
   */
  int shellExitCode() {
    int signal = exitCode & 0x7f;
    return signal == 0 ? (exitCode >> 8) & 0xff : 128 + signal;
  }

  /**
   * User and system time at exit in nanoseconds, split as /proc shows them (the kernel's
   * cputime_adjust): the sampled user/system ratio applied to the exact total.
   */
  long[] exitUserSystemNs() {
    long total = exitCpuNs;
    if (exitStimeNs == 0) {
      return new long[] {total, 0};
    }
    if (exitUtimeNs == 0) {
      return new long[] {0, total};
    }
    long system = (long) ((double) total * exitStimeNs / ((double) exitStimeNs + exitUtimeNs));
    return new long[] {total - system, system};
  }
}
