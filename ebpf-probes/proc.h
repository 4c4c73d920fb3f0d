/* SPDX-License-Identifier: Apache-2.0 */
/* Contract between proc.bpf.c and io.gala.agent.probe.proc (ProcStats, SyscallFailKey). */
#ifndef GALA_PROC_H
#define GALA_PROC_H

/* Value of map procs, keyed by tgid. Counters are cumulative since the agent loaded the probe. */
struct proc_stats {
	__u64 runq_delay_ns;  /* sum of wakeup-or-preemption to switch-in delays of all threads */
	__u64 runq_count;     /* number of such delays */
	__u64 runq_max_ns;
	__u64 fork_count;     /* children forked (threads excluded) */
	__u64 exec_count;
	__u64 oom_kills;      /* times chosen as OOM victim */
	__u64 syscall_failed; /* syscalls that returned an error, all kinds */
	__u64 exit_ns;        /* bpf_ktime_get_ns() of the group leader's exit, 0 while alive */
};

/* Key of map syscall_fails: failed syscalls by process, syscall number and errno. */
struct syscall_fail_key {
	__u32 tgid;
	__u32 nr;
	__u32 err;
	__u32 pad;
};

#endif
