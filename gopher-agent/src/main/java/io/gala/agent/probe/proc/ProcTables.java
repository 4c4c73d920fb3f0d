package io.gala.agent.probe.proc;

import io.gala.agent.table.TableDef;

/** The proc probe's tables, as data. Names follow gala-gopher's system_proc and proc tables. */
final class ProcTables {
  private ProcTables() {}

  static final TableDef PROC = TableDef.builder("proc")
      .keys("tgid")
      .labels("comm", "cmdline", "container_id", "ppid")
      .counter("utime_jiffies", "jiffies", "CPU time in user mode (USER_HZ ticks, /proc/<pid>/stat)")
      .counter("stime_jiffies", "jiffies", "CPU time in kernel mode (USER_HZ ticks, /proc/<pid>/stat)")
      .counter("cpu_seconds", "seconds", "CPU time, user plus system")
      .gauge("num_threads", "", "Threads of the process")
      .gauge("vm_size", "bytes", "Virtual memory size")
      .gauge("pm_size", "bytes", "Resident set size")
      .gauge("fd_count", "", "Open file descriptors")
      .counter("minor_pagefault_count", "", "Minor page faults")
      .counter("major_pagefault_count", "", "Major page faults (disk reads)")
      .counter("rchar_bytes", "bytes", "Bytes read by read-like syscalls, cache hits included (/proc/<pid>/io)")
      .counter("wchar_bytes", "bytes", "Bytes written by write-like syscalls (/proc/<pid>/io)")
      .counter("syscr_count", "", "Read-like syscalls")
      .counter("syscw_count", "", "Write-like syscalls")
      .counter("read_bytes", "bytes", "Bytes the process caused to be read from storage")
      .counter("write_bytes", "bytes", "Bytes the process caused to be written to storage")
      .counter("runq_delay_seconds", "seconds",
          "Time the process's threads waited runnable for a CPU (wakeup or preemption to switch-in)")
      .counter("runq_count", "", "Run-queue waits measured (number of switch-ins after a wait)")
      .counter("syscall_failed", "", "Syscalls that returned an error")
      .counter("fork_count", "", "Child processes forked")
      .counter("exec_count", "", "execve calls")
      .counter("oom_kill_count", "", "Times the process was chosen as OOM victim")
      .gauge("exited", "", "1 on the final row of a process that exited, else 0")
      .build();

  static final TableDef PROC_SYSCALL = TableDef.builder("proc_syscall")
      .keys("tgid", "syscall", "errno")
      .labels("comm")
      .counter("failed", "", "Failed syscalls by syscall name and errno name")
      .build();
}
