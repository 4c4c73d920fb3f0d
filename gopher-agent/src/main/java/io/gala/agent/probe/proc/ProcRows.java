package io.gala.agent.probe.proc;

import io.gala.agent.probe.ProcessInfo;
import io.gala.agent.probe.proc.ProcKernel.SyscallError;
import io.gala.agent.table.Row;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Builds the rows of one process from what /proc and the kernel maps say: a live row each sample,
 * and a final row ({@code exited 1}) with the last /proc figures and the kernel's exit record.
 */
final class ProcRows {
  private static final double NS = 1e9;

  private final long clockTicks;
  private final long pageSize;
  private final long bootTime;

  /**
   * @param clockTicks USER_HZ, the unit of /proc/<pid>/stat times (100 on every Linux architecture)
   * @param pageSize the unit of /proc/<pid>/stat rss
   * @param bootTime seconds since the epoch at boot, 0 if unknown (then no start_time label)
   */
  ProcRows(long clockTicks, long pageSize, long bootTime) {
    this.clockTicks = clockTicks;
    this.pageSize = pageSize;
    this.bootTime = bootTime;
  }

  /** One sample of a live process. */
  void live(
      Consumer<Row> sink,
      long tgid,
      ProcessInfo info,
      ProcFiles f,
      long fdLimit,
      ProcStats k,
      Map<SyscallError, Long> errors) {
    Row.Builder r = start(tgid, info, f);
    r.set("utime_seconds", f.utime() / (double) clockTicks)
        .set("stime_seconds", f.stime() / (double) clockTicks)
        .set("cpu_seconds", (f.utime() + f.stime()) / (double) clockTicks);
    set(r, "num_threads", f.numThreads());
    set(r, "vm_size", f.vsize());
    if (f.rssPages() >= 0) {
      r.set("pm_size", f.rssPages() * pageSize);
    }
    set(r, "fd_count", f.fdCount());
    if (fdLimit > 0 && f.fdCount() >= 0) {
      r.set("fd_free_per", Math.max(0, fdLimit - f.fdCount()) * 100.0 / fdLimit);
    }
    io(r, f);
    kernel(r, k == null ? ProcStats.NONE : k);
    r.set("exited", 0);
    sink.accept(r.build());
    errors(sink, tgid, info, errors);
  }

  /**
   * The final row of a process that exited: counters at their last values (CPU time from the
   * kernel's exit record when it has one, never below what /proc showed last), gauges 0.
   *
   * @param last the process's /proc figures at the last sample, null if it lived between two
   *     samples
   * @param k its kernel record, null if the kernel had none
   */
  void exited(
      Consumer<Row> sink,
      long tgid,
      ProcessInfo info,
      ProcFiles last,
      ProcStats k,
      Map<SyscallError, Long> errors) {
    Row.Builder r = start(tgid, info, last);
    if (last == null && k != null && k.exited()) {
      r.label("ppid", k.exitPpid());
    }
    double user = last == null ? 0 : last.utime() / (double) clockTicks;
    double system = last == null ? 0 : last.stime() / (double) clockTicks;
    if (k != null && k.exited()) {
      long[] ns = k.exitUserSystemNs();
      user = Math.max(user, ns[0] / NS);
      system = Math.max(system, ns[1] / NS);
    }
    r.set("utime_seconds", user)
        .set("stime_seconds", system)
        .set("cpu_seconds", user + system)
        .set("num_threads", 0)
        .set("vm_size", 0)
        .set("pm_size", 0)
        .set("fd_count", 0);
    if (last != null) {
      io(r, last);
    }
    kernel(r, k == null ? ProcStats.NONE : k);
    r.set("exited", 1).set("exit_code", k != null && k.exited() ? k.shellExitCode() : -1);
    sink.accept(r.build());
    errors(sink, tgid, info, errors);
  }

  private Row.Builder start(long tgid, ProcessInfo info, ProcFiles f) {
    Row.Builder r =
        ProcTables.PROC
            .row()
            .key("tgid", tgid)
            .label("comm", info.comm())
            .label("cmdline", info.cmdline())
            .label("container_id", info.containerId());
    if (f != null) {
      r.label("ppid", f.ppid()).label("pgid", f.pgid());
      if (bootTime > 0 && f.startTicks() >= 0) {
        r.label("start_time", bootTime + f.startTicks() / clockTicks);
      }
    }
    return r;
  }

  private static void io(Row.Builder r, ProcFiles f) {
    set(r, "minor_pagefault_count", f.minflt());
    set(r, "major_pagefault_count", f.majflt());
    set(r, "rchar_bytes", f.rchar());
    set(r, "wchar_bytes", f.wchar());
    set(r, "syscr_count", f.syscr());
    set(r, "syscw_count", f.syscw());
    set(r, "read_bytes", f.readBytes());
    set(r, "write_bytes", f.writeBytes());
    set(r, "cancelled_write_bytes", f.cancelledWriteBytes());
  }

  private static void kernel(Row.Builder r, ProcStats s) {
    r.set("runq_delay_seconds", s.runqDelayNs() / NS)
        .set("runq_count", s.runqCount())
        .set("runq_delay_max", s.runqMaxNs() / NS)
        .set("syscall_failed", s.syscallFailed())
        .set("fork_count", s.forkCount())
        .set("exec_count", s.execCount())
        .set("oom_kill_count", s.oomKills());
  }

  private static void errors(
      Consumer<Row> sink, long tgid, ProcessInfo info, Map<SyscallError, Long> errors) {
    if (errors == null) {
      return;
    }
    errors.forEach(
        (e, n) ->
            sink.accept(
                ProcTables.PROC_SYSCALL
                    .row()
                    .key("tgid", tgid)
                    .key("syscall", Syscalls.syscall(e.nr()))
                    .key("errno", Syscalls.errno(e.err()))
                    .label("comm", info.comm())
                    .set("count", n)
                    .build()));
  }

  private static void set(Row.Builder r, String metric, long v) {
    if (v >= 0) {
      r.set(metric, v);
    }
  }
}
