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

/* When a thread became runnable, and its context-switch count then: a wakeup that finds an entry with
 * the same count keeps the earlier time (the thread has not run since); a different count means the
 * entry is stale (a switch-in was missed, e.g. by BPF recursion protection) and is replaced. */
struct runnable {
	__u64 ts;
	__u64 switches;
};

/* Thread id -> struct runnable; one entry per runnable thread at any moment. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct runnable);
} start SEC(".maps");

/* Count of updates that found a map full, by map: [0] procs, [1] syscall_fails, [2] start. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __u64);
} map_full SEC(".maps");

static const struct proc_stats zero;

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

/* wakeup: true when called for a wakeup, false when the task just left the CPU still runnable. */
static __always_inline void mark_runnable(struct task_struct *p, bool wakeup)
{
	__u32 pid = BPF_CORE_READ(p, pid);
	struct runnable r, *old;

	if (!pid || !in_scope(p))
		return;
	r.switches = switches(p);
	/* The wakeup tracepoint also fires for a task that is already runnable (ttwu_runnable): keep the
	 * earlier start then, or its wait would be cut short. */
	if (wakeup) {
		old = bpf_map_lookup_elem(&start, &pid);
		if (old && old->switches == r.switches)
			return;
	}
	r.ts = bpf_ktime_get_ns();
	if (bpf_map_update_elem(&start, &pid, &r, BPF_ANY))
		count_full(2);
}

/* A task running right now is woken too (it had set itself to sleep and not yet switched out): it
 * does not wait for a CPU, so it gets no start. */
static __always_inline void on_wakeup(struct task_struct *p)
{
	if (BPF_CORE_READ(p, on_cpu))
		return;
	mark_runnable(p, true);
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

/* 5.10 passes (preempt, prev, next), 6.x adds prev_state: read only the first three. */
SEC("tp_btf/sched_switch")
int BPF_PROG(handle_sched_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u32 pid = next->pid;
	struct runnable *r;
	struct proc_stats *s;
	__u64 delta;

	/* A preempted task stays on the run queue even if it had set a sleeping state. */
	if (preempt || task_state(prev) == TASK_RUNNING)
		mark_runnable(prev, false);

	r = bpf_map_lookup_elem(&start, &pid);
	if (!r)
		return 0;
	delta = bpf_ktime_get_ns() - r->ts;
	bpf_map_delete_elem(&start, &pid);
	s = stats_of(next->tgid);
	if (!s)
		return 0;
	__sync_fetch_and_add(&s->runq_delay_ns, delta);
	__sync_fetch_and_add(&s->runq_count, 1);
	if (delta > s->runq_max_ns)
		s->runq_max_ns = delta;
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(handle_fork, struct task_struct *parent, struct task_struct *child)
{
	struct proc_stats *s;

	if (!in_scope(parent))
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

SEC("tp_btf/sched_process_exit")
int BPF_PROG(handle_exit, struct task_struct *p)
{
	__u32 pid = p->pid;
	struct proc_stats *s;

	bpf_map_delete_elem(&start, &pid);
	if (p->pid != p->tgid)
		return 0;
	/* Only processes already known get an exit mark: a fresh entry here would be all zeros. */
	s = bpf_map_lookup_elem(&procs, &pid);
	if (s)
		s->exit_ns = bpf_ktime_get_ns();
	return 0;
}

SEC("tracepoint/oom/mark_victim")
int handle_oom_victim(struct trace_event_raw_mark_victim *ctx)
{
	struct proc_stats *s = stats_of(ctx->pid);

	if (s)
		__sync_fetch_and_add(&s->oom_kills, 1);
	return 0;
}

/* Fires on every syscall of the host: return at once on success, the common case. */
SEC("tracepoint/raw_syscalls/sys_exit")
int handle_sys_exit(struct trace_event_raw_sys_exit *ctx)
{
	struct syscall_fail_key key = {};
	struct task_struct *t;
	struct proc_stats *s;
	__u64 *n, one = 1;
	long ret = ctx->ret;

	if (ret >= 0 || ret < -4095)
		return 0;
	t = (struct task_struct *)bpf_get_current_task_btf();
	if (!in_scope(t))
		return 0;
	key.tgid = bpf_get_current_pid_tgid() >> 32;
	key.nr = ctx->id;
	key.err = -ret;
	n = bpf_map_lookup_elem(&syscall_fails, &key);
	if (n)
		__sync_fetch_and_add(n, 1);
	else if (bpf_map_update_elem(&syscall_fails, &key, &one, BPF_NOEXIST))
		count_full(1);
	s = stats_of(key.tgid);
	if (s)
		__sync_fetch_and_add(&s->syscall_failed, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
