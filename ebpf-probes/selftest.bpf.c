// SPDX-License-Identifier: Apache-2.0
/* selftest: exercises the agent's libbpf binding (ring buffer, iterator, maps, knobs); loaded only by
 * tests. A getppid() from the process targ_tgid emits one ring buffer record and counts in two maps. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "selftest.h"

const volatile __u32 targ_tgid = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

/* seq -> 1, one entry per getppid: the batch reader's multi-batch path is tested with >1024 entries. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, __u64);
} calls SEC(".maps");

/* One per-CPU counter of getppid calls: tests the per-CPU value layout. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} count SEC(".maps");

__u32 seq = 0;

SEC("tracepoint/syscalls/sys_enter_getppid")
int handle_getppid(void *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32, zero = 0, s;
	struct selftest_event *e;
	__u64 one = 1, *n;

	if (tgid != targ_tgid)
		return 0;
	s = __sync_fetch_and_add(&seq, 1);
	bpf_map_update_elem(&calls, &s, &one, BPF_ANY);
	n = bpf_map_lookup_elem(&count, &zero);
	if (n)
		(*n)++;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->tgid = tgid;
	e->seq = s;
	e->ts_ns = bpf_ktime_get_ns();
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("iter/task")
int dump_task(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	struct selftest_task t;

	if (!task)
		return 0;
	t.pid = task->pid;
	t.tgid = task->tgid;
	bpf_seq_write(ctx->meta->seq, &t, sizeof(t));
	return 0;
}

/* Needs a hook no kernel has: proves that optional programs are skipped, not fatal. */
SEC("tp_btf/gala_no_such_tracepoint")
int BPF_PROG(handle_missing)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
