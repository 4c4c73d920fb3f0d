/* SPDX-License-Identifier: Apache-2.0 */
/* Contract between proc.bpf.c and io.gala.agent.probe.proc (ProcStats, SyscallFailKey). */
#ifndef GALA_PROC_H
#define GALA_PROC_H

#define PROC_COMM_LEN 16
/* Set in syscall_fail_key.nr for a 32-bit (compat) syscall, whose numbers are another table's. */
#define PROC_SYSCALL_COMPAT 0x80000000u

/* Value of map procs, keyed by tgid. Counters are cumulative since the agent loaded the probe. */
struct proc_stats {
	__u64 runq_delay_ns;     /* sum of the waits of all threads on a run queue, enqueue to switch-in */
	__u64 runq_count;        /* number of such waits */
	__u64 runq_max_ns[2];    /* longest wait ended in sample period e, kept in slot e & 1 */
	__u64 runq_max_period[2]; /* the period e each slot holds */
	__u64 fork_count;        /* child processes forked (threads excluded) */
	__u64 exec_count;
	__u64 oom_kills;         /* times chosen as OOM victim */
	__u64 syscall_failed;    /* syscalls that returned an error, all kinds */
	/* Set once, when the last thread of the process exits; 0 while it lives. */
	__u64 exit_ns;           /* bpf_ktime_get_ns() then */
	__u64 exit_cpu_ns;       /* CPU time of all its threads (sum_exec_runtime) */
	__u64 exit_utime_ns;     /* user and system time as ticks sampled them, before the kernel */
	__u64 exit_stime_ns;     /*   scales them to exit_cpu_ns for /proc (cputime_adjust) */
	__u32 exit_code;         /* wait status: exit status << 8, or the fatal signal */
	__u32 exit_ppid;
	__u8 exit_comm[PROC_COMM_LEN];
};

/* Key of map syscall_fails: failed syscalls by process, syscall number and errno. */
struct syscall_fail_key {
	__u32 tgid;
	__u32 nr;   /* syscall number, | PROC_SYSCALL_COMPAT for a 32-bit syscall */
	__u32 err;  /* positive errno */
	__u32 pad;
};

#endif
