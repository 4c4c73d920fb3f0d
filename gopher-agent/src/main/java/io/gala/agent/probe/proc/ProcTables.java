package io.gala.agent.probe.proc;

import io.gala.agent.table.TableDef;

/**
 * The proc probe's tables, as data. {@code proc} keeps the names of gala-gopher's {@code
 * system_proc} where one exists (as cumulative counters, and CPU time in seconds rather than
 * jiffies) and its {@code syscall_failed}; {@code proc_syscall} breaks failed syscalls down by
 * syscall and errno.
 */
final class ProcTables {
  private ProcTables() {}

  static final TableDef PROC =
      TableDef.builder("proc")
          .keys("tgid")
          .labels("comm", "cmdline", "container_id", "ppid", "pgid", "start_time")
          .counter("utime_seconds", "seconds", "CPU time in user mode (/proc/<pid>/stat utime)")
          .counter("stime_seconds", "seconds", "CPU time in kernel mode (/proc/<pid>/stat stime)")
          .counter("cpu_seconds", "seconds", "CPU time, user plus kernel mode")
          .gauge("num_threads", "", "Threads of the process, 0 on the final row")
          .gauge("vm_size", "bytes", "Virtual memory size, 0 on the final row")
          .gauge("pm_size", "bytes", "Resident set size, 0 on the final row")
          .gauge("fd_count", "", "Open file descriptors, 0 on the final row")
          .gauge(
              "fd_free_per",
              "%",
              "Open file descriptors left before the soft RLIMIT_NOFILE, in percent")
          .counter("minor_pagefault_count", "", "Minor page faults")
          .counter("major_pagefault_count", "", "Major page faults (disk reads)")
          .counter(
              "rchar_bytes",
              "bytes",
              "Bytes read by read-like syscalls, cache hits included (/proc/<pid>/io)")
          .counter("wchar_bytes", "bytes", "Bytes written by write-like syscalls (/proc/<pid>/io)")
          .counter("syscr_count", "", "Read-like syscalls")
          .counter("syscw_count", "", "Write-like syscalls")
          .counter("read_bytes", "bytes", "Bytes the process caused to be read from storage")
          .counter("write_bytes", "bytes", "Bytes the process caused to be written to storage")
          .counter(
              "cancelled_write_bytes",
              "bytes",
              "Bytes of dirty page cache the process truncated before writeback")
          .counter(
              "runq_delay_seconds",
              "seconds",
              "Time the process's threads waited on a run queue for a CPU, from enqueue (wakeup or preemption) to switch-in,"
                  + " as /proc/<pid>/schedstat run_delay counts it")
          .counter("runq_count", "", "Run-queue waits summed in runq_delay_seconds")
          .gauge(
              "runq_delay_max",
              "seconds",
              "Longest single run-queue wait that ended in the last sample period, 0 if none")
          .counter(
              "syscall_failed",
              "",
              "Syscalls that returned an error (ERESTART* interruptions excluded)")
          .counter("fork_count", "", "Child processes forked (threads excluded)")
          .counter("exec_count", "", "Successful execve calls")
          .counter("oom_kill_count", "", "Times the process was chosen as OOM victim")
          .gauge("exited", "", "1 on the final row of a process that exited, else 0")
          .gauge(
              "exit_code",
              "",
              "On the final row: exit status, or 128 + the killing signal (137: SIGKILL); -1 if unknown")
          .build();

  static final TableDef PROC_SYSCALL =
      TableDef.builder("proc_syscall_errno")
          .keys("tgid", "syscall", "errno")
          .labels("comm")
          .counter("count", "", "Failed syscalls by syscall name and errno name")
          .build();
}
