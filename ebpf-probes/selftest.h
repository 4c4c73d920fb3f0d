/* SPDX-License-Identifier: Apache-2.0 */
/* Contract of selftest.bpf.c, the object the libbpf binding's own tests load (the agent's bpf package tests). */
#ifndef GALA_SELFTEST_H
#define GALA_SELFTEST_H

struct selftest_event {
	__u32 tgid;
	__u32 seq;
	__u64 ts_ns;
};

struct selftest_task {
	__u32 pid;
	__u32 tgid;
};

#endif
