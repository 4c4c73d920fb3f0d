// SPDX-License-Identifier: Apache-2.0
/* io: block requests per disk (latency, queue time, bytes and requests by direction, errors) and block
 * I/O per submitting process, aggregated in kernel maps and read by io.gala.agent.probe.io.IoProbe.
 *
 * Disks: a request is followed by its struct request pointer from the first hook that sees it
 * (block_io_start on 6.5+, else block_rq_insert or block_rq_issue) to block_rq_complete.
 *
 * Processes: each bio is charged to the process that submitted it, recorded at block_bio_queue, which
 * runs in the submitter's context before the bio becomes or joins a request. That is earlier than
 * block_rq_insert, so a request issued later by a kworker (kblockd, a queue run by another task) or
 * directly (plug flush, mq fast path) is still charged to its submitter, and a bio merged into another
 * process's request stays its own submitter's. Current kernels do not trace the completion of such
 * bios (block_bio_complete fires only for remapped bios), so the bios are accounted when their request
 * completes: block_rq_complete walks rq->bio and charges each bio it ends.
 *
 * Argument lists differ: 5.10 passes (q, rq) to block_rq_insert/issue/merge and (q, bio) to
 * block_bio_queue, 5.11+ drop q. Each such hook has two thin wrappers; the agent reads the tracepoint's
 * BTF and disables the one that does not fit (the verifier rejects reading an argument a tracepoint does
 * not have, even in a branch a load-time constant makes dead, once the compiler merges the loads). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bits.bpf.h"
#include "core_fixes.bpf.h"
#include "maps.bpf.h"
#include "io.h"

#define REQ_OP_MASK 0xff
#define REQ_OP_FLUSH 2
#define REQ_OP_DISCARD 3
#define REQ_OP_SECURE_ERASE 5
#define MINORBITS 20

/* Network namespace inode the agent is scoped to; 0 = every process of the host. Disks are host-wide
 * and always counted; only the per-process table is scoped. */
const volatile __u32 targ_netns = 0;
/* 0 = no per-process table: the agent also disables the bio programs. */
const volatile __u32 targ_per_process = 1;

/* Per-request timestamps while in flight; kept out of io.h because Java never reads it. */
struct rq_times {
	__u64 gen;       /* rq->start_time_ns at first sight: tells a reused request pointer from a stale entry */
	__u64 first_ns;
	__u64 insert_ns;
	__u64 issue_ns;
};

/* Per-bio submitter while in flight. */
struct bio_owner {
	__u64 start_ns;
	__u32 tgid;
	__u32 pad;
};

/* Bios followed per request completion; more stay charged to nobody (rare: large merged writes). */
#define MAX_BIOS 16

/* struct request * -> times, one entry per request in flight on any disk (queue depth x disks). A plain
 * hash (an LRU insert costs a lock per request): requests are preallocated per tag, so the entry of a
 * request whose completion was missed is overwritten when its tag is used again. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct rq_times);
} start SEC(".maps");

/* struct bio * -> submitter, one entry per bio in flight to a request-based disk (more than requests:
 * bios waiting for a tag or in a plug, merged bios). LRU: a bio whose request completion was missed
 * (see docs/probes/io.md) ages out instead of leaking. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct bio_owner);
} bios SEC(".maps");

/* Per-disk totals; a host has few request-based disks (bio-based dm/md devices never get here). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, struct dev_key);
	__type(value, struct block_stats);
} blocks SEC(".maps");

/* Per (process, disk) totals. Not preallocated: a value carries a 2 KiB histogram and most slots stay
 * unused; the agent deletes the entries of exited processes after reporting them one last time. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct proc_key);
	__type(value, struct proc_io_stats);
} procs SEC(".maps");

/* Count of updates that found a map full, by map: [0] start, [1] bios, [2] blocks, [3] procs. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} map_full SEC(".maps");

/* Too large for the 512-byte BPF stack: lookup_or_try_init copies from these. */
static const struct block_stats zero_block;
static const struct proc_io_stats zero_proc;

static __always_inline void count_full(__u32 which)
{
	__u64 *n = bpf_map_lookup_elem(&map_full, &which);
	if (n)
		(*n)++;
}

static __always_inline void hist_add(struct hist *h, __u64 v)
{
	__u32 slot = hist_slot(v);

	/* hist_slot clamps, but the verifier cannot see it through the shifts: bound it again. */
	if (slot >= HIST_SLOTS)
		return;
	__sync_fetch_and_add(&h->slots[slot], 1);
	__sync_fetch_and_add(&h->sum, v);
	__sync_fetch_and_add(&h->count, 1);
}

static __always_inline __u32 op_group(__u32 opf)
{
	__u32 op = opf & REQ_OP_MASK;

	if (op == REQ_OP_DISCARD || op == REQ_OP_SECURE_ERASE)
		return IO_DISCARD;
	if (op == REQ_OP_FLUSH)
		return IO_FLUSH;
	return op & 1 ? IO_WRITE : IO_READ;
}

static __always_inline bool disk_key(struct gendisk *disk, struct dev_key *dev)
{
	if (!disk)
		return false;
	dev->major = BPF_CORE_READ(disk, major);
	dev->first_minor = BPF_CORE_READ(disk, first_minor);
	return true;
}

/* --- processes: bios --- */

static __always_inline void on_bio_queue(struct bio *bio)
{
	struct task_struct *task;
	struct gendisk *disk;
	struct bio_owner o = {};
	__u64 key = (__u64)bio;

	if (targ_netns) {
		/* bpf_get_current_task_btf() is 5.11+; the untyped task works with task_netns's CO-RE reads. */
		task = (struct task_struct *)bpf_get_current_task();
		if (task_netns(task) != targ_netns)
			return;
	}
	/* Bio-based devices (device-mapper, md) hand their bios on and never complete a request. */
	disk = bio_disk(bio);
	if (!disk || !BPF_CORE_READ(disk, queue, mq_ops))
		return;
	if (op_group(BPF_CORE_READ(bio, bi_opf)) > IO_WRITE)
		return;
	o.tgid = bpf_get_current_pid_tgid() >> 32;
	o.start_ns = bpf_ktime_get_ns();
	if (bpf_map_update_elem(&bios, &key, &o, BPF_ANY))
		count_full(1);
}

static __always_inline void charge_bio(struct bio *bio, __u32 bytes, struct dev_key *dev, __u32 group,
				       bool failed, __u64 now)
{
	__u64 key = (__u64)bio;
	struct bio_owner *o = bpf_map_lookup_elem(&bios, &key);
	struct proc_io_stats *p;
	struct proc_key pk = {};
	__u32 g = group & 1; /* read or write; bounded for the verifier */

	if (!o)
		return;
	pk.tgid = o->tgid;
	pk.major = dev->major;
	pk.first_minor = dev->first_minor;
	p = lookup_or_try_init(&procs, &pk, &zero_proc);
	if (p) {
		__sync_fetch_and_add(&p->ops[g], 1);
		__sync_fetch_and_add(&p->bytes[g], bytes);
		if (bytes <= IO_SMALL_BYTES)
			__sync_fetch_and_add(&p->small_ops[g], 1);
		else
			__sync_fetch_and_add(&p->large_ops[g], 1);
		if (failed)
			__sync_fetch_and_add(&p->err_count, 1);
		hist_add(&p->latency, now - o->start_ns);
	} else {
		count_full(3);
	}
	bpf_map_delete_elem(&bios, &key);
}

/* The bios a completion of nr_bytes ends, front to back, as blk_update_request ends them; a bio only
 * partly done stays for the next completion. */
static __always_inline void charge_bios(struct request *rq, __u32 nr_bytes, struct dev_key *dev,
					__u32 group, bool failed)
{
	struct bio *bio = BPF_CORE_READ(rq, bio);
	__u64 now = bpf_ktime_get_ns();
	__u32 size;

	if (group > IO_WRITE)
		return;
	for (int i = 0; i < MAX_BIOS && bio; i++) {
		size = BPF_CORE_READ(bio, bi_iter.bi_size);
		if (size > nr_bytes)
			break;
		nr_bytes -= size;
		charge_bio(bio, size, dev, group, failed, now);
		bio = BPF_CORE_READ(bio, bi_next);
	}
}

/* --- disks: requests --- */

/* The times of a request, opened now if this is its first hook. fresh: the hook starts a new life of
 * the request pointer for sure (block_io_start). */
static __always_inline struct rq_times *track(struct request *rq, bool fresh)
{
	__u64 key = (__u64)rq;
	__u64 gen = BPF_CORE_READ(rq, start_time_ns);
	struct rq_times *t = bpf_map_lookup_elem(&start, &key);

	if (t && !fresh && t->gen == gen)
		return t;
	struct rq_times init = { .gen = gen, .first_ns = bpf_ktime_get_ns() };
	if (bpf_map_update_elem(&start, &key, &init, BPF_ANY)) {
		count_full(0);
		return NULL;
	}
	return bpf_map_lookup_elem(&start, &key);
}

static __always_inline void on_insert(struct request *rq)
{
	struct rq_times *t = track(rq, false);

	if (t)
		t->insert_ns = bpf_ktime_get_ns();
}

static __always_inline void on_issue(struct request *rq)
{
	struct rq_times *t = track(rq, false);

	if (t)
		t->issue_ns = bpf_ktime_get_ns();
}

/* A request merged into another is freed without completing: forget it. */
static __always_inline void on_merge(struct request *rq)
{
	__u64 key = (__u64)rq;

	bpf_map_delete_elem(&start, &key);
}

/* error: 5.10 passes a negative errno, later kernels a blk_status_t (small positive number); 0 = OK
 * in both. nr_bytes: the bytes this call completes, less than the request for a partial completion. */
static __always_inline void on_complete(struct request *rq, int error, __u32 nr_bytes)
{
	struct dev_key dev = {};
	struct block_stats *b;
	struct rq_times *t;
	__u64 key = (__u64)rq, now;
	__u32 group;

	if (!disk_key(request_disk(rq), &dev))
		return;
	b = lookup_or_try_init(&blocks, &dev, &zero_block);
	if (!b) {
		count_full(2);
		return;
	}
	group = op_group(BPF_CORE_READ(rq, cmd_flags));
	__sync_fetch_and_add(&b->bytes[group], nr_bytes);
	if (error) {
		__sync_fetch_and_add(&b->err_count, 1);
		/* Only the errno form is stored here; block_rq_error stores it on kernels passing a status. */
		if (error < 0)
			b->last_errno = -error;
	}
	if (targ_per_process)
		charge_bios(rq, nr_bytes, &dev, group, error != 0);
	/* __data_len still holds what was left before this call: the request ends when all of it is done,
	 * which /proc/diskstats counts as one I/O. */
	if (nr_bytes < BPF_CORE_READ(rq, __data_len))
		return;
	__sync_fetch_and_add(&b->ops[group], 1);

	t = bpf_map_lookup_elem(&start, &key);
	if (!t)
		return;
	now = bpf_ktime_get_ns();
	if (t->issue_ns) {
		hist_add(&b->latency, now - t->issue_ns);
		if (t->insert_ns && t->insert_ns <= t->issue_ns)
			hist_add(&b->queue, t->issue_ns - t->insert_ns);
	}
	hist_add(&b->req, now - t->first_ns);
	bpf_map_delete_elem(&start, &key);
}

SEC("tp_btf/block_io_start")
int BPF_PROG(handle_io_start, struct request *rq)
{
	track(rq, true);
	return 0;
}

SEC("tp_btf/block_rq_insert")
int BPF_PROG(handle_rq_insert, struct request *rq)
{
	on_insert(rq);
	return 0;
}

SEC("tp_btf/block_rq_insert")
int BPF_PROG(handle_rq_insert_q, struct request_queue *q, struct request *rq)
{
	on_insert(rq);
	return 0;
}

SEC("tp_btf/block_rq_issue")
int BPF_PROG(handle_rq_issue, struct request *rq)
{
	on_issue(rq);
	return 0;
}

SEC("tp_btf/block_rq_issue")
int BPF_PROG(handle_rq_issue_q, struct request_queue *q, struct request *rq)
{
	on_issue(rq);
	return 0;
}

SEC("tp_btf/block_rq_merge")
int BPF_PROG(handle_rq_merge, struct request *rq)
{
	on_merge(rq);
	return 0;
}

SEC("tp_btf/block_rq_merge")
int BPF_PROG(handle_rq_merge_q, struct request_queue *q, struct request *rq)
{
	on_merge(rq);
	return 0;
}

/* (rq, error, nr_bytes) on every kernel; error's type changed from int to blk_status_t. */
SEC("tp_btf/block_rq_complete")
int BPF_PROG(handle_rq_complete, struct request *rq, int error, unsigned int nr_bytes)
{
	on_complete(rq, error, nr_bytes);
	return 0;
}

/* Failed, non-quiet requests, on kernels that have it. Its classic format carries the errno the status
 * maps to, which the tp_btf form of block_rq_complete no longer does. Runs after block_rq_complete. */
SEC("tracepoint/block/block_rq_error")
int handle_rq_error(struct trace_event_raw_block_rq_completion *ctx)
{
	struct dev_key dev = {
		.major = ctx->dev >> MINORBITS,
		.first_minor = ctx->dev & ((1U << MINORBITS) - 1),
	};
	struct block_stats *b = bpf_map_lookup_elem(&blocks, &dev);
	int error = ctx->error;

	if (b && error < 0)
		b->last_errno = -error;
	return 0;
}

SEC("tp_btf/block_bio_queue")
int BPF_PROG(handle_bio_queue, struct bio *bio)
{
	on_bio_queue(bio);
	return 0;
}

SEC("tp_btf/block_bio_queue")
int BPF_PROG(handle_bio_queue_q, struct request_queue *q, struct bio *bio)
{
	on_bio_queue(bio);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
