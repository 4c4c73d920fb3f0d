// SPDX-License-Identifier: Apache-2.0
/* proc: per-process run-queue delay, failed syscalls, fork/exec/exit and OOM kills, aggregated in
 * kernel maps and read by io.gala.agent.probe.proc.ProcProbe every sample period. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "core_fixes.bpf.h"
#include "maps.bpf.h"
#include "proc.h"

#define TASK_RUNNING 0
#define TASK_DEAD 0x0080
#define TS_COMPAT 0x0002 /* x86 thread_info.status: a 32-bit syscall is running */

/* Network namespace inode the agent is scoped to; 0 = every process of the host. */
const volatile __u32 targ_netns = 0;

/* Per-process totals; sized for a busy host's processes, resized by the agent from params. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct proc_stats);
} procs SEC(".maps");

/* Failed syscalls by (tgid, nr, errno): few distinct keys per process in practice. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct syscall_fail_key);
	__type(value, __u64);
} syscall_fails SEC(".maps");

/* Whether a thread waits on a run queue, since when, and its context-switch count then. ts: 0 not
 * queued, NOT_COUNTED queued but not counted (see handle_sched_switch), else the enqueue time. A
 * wakeup that finds the thread queued with the same count keeps the entry (the kernel wakes runnable
 * tasks too); a different count means a switch-in was missed (e.g. by BPF recursion protection) and
 * the entry is stale. Entries live as long as their thread and are updated in place, rather than
 * inserted and deleted (an element allocation and free) on every context switch. */
struct runnable {
	__u64 ts;
	__u64 switches;
};

#define NOT_COUNTED 1

/* Thread id -> struct runnable; one entry per thread that was ever runnable, deleted at its exit. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct runnable);
} start SEC(".maps");

/* The current sample period, advanced by the agent before each read: per-period maxima go to slot
 * period & 1, so that the agent reads the slot of the period just ended while the kernel writes the
 * other one. An array, not a global, so that the agent writes it through the map API. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} period SEC(".maps");

/* Count of updates that found a map full, by map: [0] procs, [1] syscall_fails, [2] start. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __u64);
} map_full SEC(".maps");

static const struct proc_stats zero;
static const __u64 zero_count;

static __always_inline void count_full(__u32 which)
{
	__u64 *n = bpf_map_lookup_elem(&map_full, &which);
	if (n)
		(*n)++;
}

static __always_inline bool in_scope(struct task_struct *t)
{
	return !targ_netns || task_netns(t) == targ_netns;
}

static __always_inline struct proc_stats *stats_of(__u32 tgid)
{
	struct proc_stats *s = lookup_or_try_init(&procs, &tgid, &zero);
	if (!s)
		count_full(0);
	return s;
}

static __always_inline __u64 switches(struct task_struct *p)
{
	return BPF_CORE_READ(p, nvcsw) + BPF_CORE_READ(p, nivcsw);
}

/* Records that a thread is on a run queue since ts (or NOT_COUNTED). A wakeup keeps an entry of the
 * same switch count: the thread is already queued, and the earlier time (or NOT_COUNTED) stands. */
static __always_inline void mark_queued(struct task_struct *p, __u64 ts, bool wakeup)
{
	__u32 pid = BPF_CORE_READ(p, pid);
	struct runnable fresh, *r;
	__u64 sw;

	if (!pid || !in_scope(p))
		return;
	sw = switches(p);
	r = bpf_map_lookup_elem(&start, &pid);
	if (r) {
		if (wakeup && r->ts && r->switches == sw)
			return;
		r->ts = ts;
		r->switches = sw;
		return;
	}
	fresh.ts = ts;
	fresh.switches = sw;
	if (bpf_map_update_elem(&start, &pid, &fresh, BPF_NOEXIST))
		count_full(2);
}

/* The kernel (sched_info_enqueue) starts a wait when it puts a task on a run queue: a wakeup of a
 * sleeping task, a new task, a blocked task whose dequeue was delayed (EEVDF), all of which fire
 * sched_wakeup[_new] right after the enqueue. A task woken while still on its CPU (it set a sleeping
 * state but has not switched out) is not enqueued and does not wait. */
static __always_inline void on_wakeup(struct task_struct *p)
{
	if (BPF_CORE_READ(p, on_cpu))
		return;
	mark_queued(p, bpf_ktime_get_ns(), true);
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(handle_sched_wakeup, struct task_struct *p)
{
	on_wakeup(p);
	return 0;
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(handle_sched_wakeup_new, struct task_struct *p)
{
	on_wakeup(p);
	return 0;
}

static __always_inline void record_wait(struct proc_stats *s, __u64 delta)
{
	__u32 zero_key = 0;
	__u64 *cur = bpf_map_lookup_elem(&period, &zero_key);
	__u64 e = cur ? *cur : 0;
	__u32 slot = e & 1;

	__sync_fetch_and_add(&s->runq_delay_ns, delta);
	__sync_fetch_and_add(&s->runq_count, 1);
	/* Two CPUs may race here for one process; a lost maximum of one period is acceptable. */
	if (s->runq_max_period[slot] != e) {
		s->runq_max_period[slot] = e;
		s->runq_max_ns[slot] = delta;
	} else if (delta > s->runq_max_ns[slot]) {
		s->runq_max_ns[slot] = delta;
	}
}

/* CPU time of a dying process whose threads other than t are all dead. Threads that exited before
 * were released and folded into signal, except the group leader, which stays a zombie with its own
 * times until the process is reaped. t_released: t itself was folded in too (a non-leader thread
 * after exit_notify). Each figure is a lower bound of the final one, so the largest seen is kept. */
static __always_inline void record_exit_cpu(struct proc_stats *s, struct task_struct *t, bool t_released)
{
	struct signal_struct *sig = BPF_CORE_READ(t, signal);
	struct task_struct *leader = BPF_CORE_READ(t, group_leader);
	__u64 cpu = BPF_CORE_READ(sig, sum_sched_runtime);
	__u64 utime = BPF_CORE_READ(sig, utime);
	__u64 stime = BPF_CORE_READ(sig, stime);

	if (!t_released) {
		cpu += BPF_CORE_READ(t, se.sum_exec_runtime);
		utime += BPF_CORE_READ(t, utime);
		stime += BPF_CORE_READ(t, stime);
	}
	if (leader && (leader != t || t_released)) {
		cpu += BPF_CORE_READ(leader, se.sum_exec_runtime);
		utime += BPF_CORE_READ(leader, utime);
		stime += BPF_CORE_READ(leader, stime);
	}
	if (cpu > s->exit_cpu_ns) {
		s->exit_cpu_ns = cpu;
		s->exit_utime_ns = utime;
		s->exit_stime_ns = stime;
	}
}

/* 6.16+ passes group_dead as a second argument; older kernels do not, so it is derived from
 * signal->live, which do_exit decrements before this tracepoint on every version. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(handle_exit, struct task_struct *p)
{
	__u32 pid = p->pid, tgid = p->tgid;
	struct proc_stats *s;

	bpf_map_delete_elem(&start, &pid);
	if (BPF_CORE_READ(p, signal, live.counter) != 0)
		return 0;
	/* Only processes already known get an exit record: a fresh entry here would be all zeros. */
	s = bpf_map_lookup_elem(&procs, &tgid);
	if (!s)
		return 0;
	record_exit_cpu(s, p, false);
	s->exit_code = BPF_CORE_READ(p, exit_code);
	s->exit_ppid = BPF_CORE_READ(p, real_parent, tgid);
	bpf_probe_read_kernel_str(s->exit_comm, sizeof(s->exit_comm), p->comm);
	s->exit_ns = bpf_ktime_get_ns();
	return 0;
}

/* The last switch-out of an exiting thread: the kernel has just brought its sum_exec_runtime up
 * to date (put_prev_task), which it had not at sched_process_exit, up to a tick earlier. */
static __always_inline void on_dead(struct task_struct *p)
{
	__u32 pid = p->pid, tgid = p->tgid;
	struct proc_stats *s;

	/* Also deleted at sched_process_exit, but a preemption on the way out may have re-created it. */
	bpf_map_delete_elem(&start, &pid);
	s = bpf_map_lookup_elem(&procs, &tgid);

	if (s && s->exit_ns)
		record_exit_cpu(s, p, p != BPF_CORE_READ(p, group_leader));
}

/* 5.10 passes (preempt, prev, next), 6.x adds prev_state: read only the first three. */
SEC("tp_btf/sched_switch")
int BPF_PROG(handle_sched_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u32 pid = next->pid;
	struct runnable *r;
	struct proc_stats *s;
	__u64 now = bpf_ktime_get_ns(), ts;
	long state;

	/* As sched_info_depart: prev waits again if it is still TASK_RUNNING. A task preempted after it
	 * set a sleeping state stays on the run queue, but schedstat does not count that wait (and a
	 * wakeup then finds it queued and enqueues nothing): NOT_COUNTED keeps a wakeup from starting one. */
	state = task_state(prev);
	if (state == TASK_RUNNING)
		mark_queued(prev, now, false);
	else if (preempt)
		mark_queued(prev, NOT_COUNTED, false);
	else if (state == TASK_DEAD)
		on_dead(prev);

	if (!pid)
		return 0;
	r = bpf_map_lookup_elem(&start, &pid);
	if (!r || !r->ts)
		return 0;
	ts = r->ts;
	r->ts = 0;
	if (ts == NOT_COUNTED || now < ts)
		return 0;
	s = stats_of(next->tgid);
	if (s)
		record_wait(s, now - ts);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(handle_fork, struct task_struct *parent, struct task_struct *child)
{
	struct proc_stats *s;

	/* A new thread shares its creator's tgid: only new processes count. */
	if (child->pid != child->tgid || !in_scope(parent))
		return 0;
	s = stats_of(parent->tgid);
	if (s)
		__sync_fetch_and_add(&s->fork_count, 1);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(handle_exec, struct task_struct *p)
{
	struct proc_stats *s;

	if (!in_scope(p))
		return 0;
	s = stats_of(p->tgid);
	if (s)
		__sync_fetch_and_add(&s->exec_count, 1);
	return 0;
}

/* The victim pid is a thread of the chosen process with its mm, in practice its leader (tgid). */
SEC("tracepoint/oom/mark_victim")
int handle_oom_victim(struct trace_event_raw_mark_victim *ctx)
{
	__u32 tgid = ctx->pid;
	/* The victim is not current, so its netns is unknown here: with a scope, count only processes
	 * already seen in it. */
	struct proc_stats *s = targ_netns ? bpf_map_lookup_elem(&procs, &tgid) : stats_of(tgid);

	if (s)
		__sync_fetch_and_add(&s->oom_kills, 1);
	return 0;
}

static __always_inline __u32 syscall_nr(struct pt_regs *regs, struct task_struct *t)
{
#if defined(__TARGET_ARCH_x86)
	__u32 nr = regs->orig_ax;
	if (BPF_CORE_READ(t, thread_info.status) & TS_COMPAT)
		nr |= PROC_SYSCALL_COMPAT;
	return nr;
#elif defined(__TARGET_ARCH_arm64)
	return regs->syscallno;
#else
	return (__u32)-1;
#endif
}

/* Fires on every syscall of the host: return at once on success, the common case. tp_btf, not the
 * raw_syscalls tracepoint, so that the kernel does not copy a trace record for every syscall. */
SEC("tp_btf/sys_exit")
int BPF_PROG(handle_sys_exit, struct pt_regs *regs, long ret)
{
	struct syscall_fail_key key = {};
	struct task_struct *t;
	struct proc_stats *s;
	__u64 *n;

	if (ret >= 0 || ret < -4095)
		return 0;
	/* ERESTARTSYS, ERESTARTNOINTR, ERESTARTNOHAND, ERESTART_RESTARTBLOCK: an interrupted syscall
	 * the kernel restarts or turns into EINTR after this point; user space never sees these. */
	if (ret <= -512 && ret >= -516 && ret != -515)
		return 0;
	/* bpf_get_current_task_btf() is 5.11+; openEuler 5.10 has only the untrusted form. */
	t = (struct task_struct *)bpf_get_current_task();
	if (!in_scope(t))
		return 0;
	key.tgid = bpf_get_current_pid_tgid() >> 32;
	key.nr = syscall_nr(regs, t);
	key.err = -ret;
	n = lookup_or_try_init(&syscall_fails, &key, &zero_count);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		count_full(1);
	s = stats_of(key.tgid);
	if (s)
		__sync_fetch_and_add(&s->syscall_failed, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
