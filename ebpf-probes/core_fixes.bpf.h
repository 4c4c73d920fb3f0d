/* SPDX-License-Identifier: Apache-2.0 */
/* CO-RE fixes for fields renamed between the kernels gala supports (openEuler 5.10 and 6.6, Debian 6.1,
 * current 6.x). One place, so that a probe never open-codes a version check. */
#ifndef GALA_CORE_FIXES_BPF_H
#define GALA_CORE_FIXES_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>

/* task_struct::state became __state in 5.14. */
struct task_struct___o {
	volatile long int state;
} __attribute__((preserve_access_index));

static __always_inline long task_state(struct task_struct *t)
{
	if (bpf_core_field_exists(t->__state))
		return BPF_CORE_READ(t, __state);
	return BPF_CORE_READ((struct task_struct___o *)t, state);
}

/* Network namespace inode of a task; 0 when it has none (exiting). */
static __always_inline __u32 task_netns(struct task_struct *t)
{
	return BPF_CORE_READ(t, nsproxy, net_ns, ns.inum);
}

/* Network namespace inode of a socket. */
static __always_inline __u32 sock_netns(const struct sock *sk)
{
	return BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
}

/* The disk a request goes to: request::rq_disk until 5.17, request_queue::disk from 5.15 on. */
struct request___o {
	struct gendisk *rq_disk;
} __attribute__((preserve_access_index));

static __always_inline struct gendisk *request_disk(struct request *rq)
{
	if (bpf_core_field_exists(((struct request___o *)rq)->rq_disk))
		return BPF_CORE_READ((struct request___o *)rq, rq_disk);
	return BPF_CORE_READ(rq, q, disk);
}

/* The disk a bio goes to: bio::bi_disk until 5.11, bio::bi_bdev->bd_disk from 5.12 on. */
struct bio___o {
	struct gendisk *bi_disk;
} __attribute__((preserve_access_index));

static __always_inline struct gendisk *bio_disk(struct bio *bio)
{
	if (bpf_core_field_exists(((struct bio___o *)bio)->bi_disk))
		return BPF_CORE_READ((struct bio___o *)bio, bi_disk);
	return BPF_CORE_READ(bio, bi_bdev, bd_disk);
}

#endif
