/* SPDX-License-Identifier: Apache-2.0 */
/* Contract between io.bpf.c and io.gala.agent.probe.io (BlockStatsLayout, ProcIoLayout, DevKey, ProcKey). */
#ifndef GALA_IO_H
#define GALA_IO_H

#include "hist.h"

/* Request groups as /proc/diskstats counts them (op_stat_group, plus flushes). */
#define IO_READ 0
#define IO_WRITE 1
#define IO_DISCARD 2
#define IO_FLUSH 3
#define IO_GROUPS 4

/* Requests up to this size count as "less_4k" (gala-gopher's BIG_BIO_SIZE: greater means > 4096). */
#define IO_SMALL_BYTES 4096

/* Key of map blocks: the disk (not the partition) a request went to, as gala-gopher keys table block. */
struct dev_key {
	__u32 major;
	__u32 first_minor;
};

/* Value of map blocks. Counters are cumulative since the probe loaded. */
struct block_stats {
	__u64 ops[IO_GROUPS];    /* requests completed (the last piece of a partially completed request) */
	__u64 bytes[IO_GROUPS];  /* bytes completed, partial completions included */
	__u64 err_count;         /* completions with a non-zero status */
	__u64 last_errno;        /* errno of the last failed completion (positive, e.g. 5 = EIO); 0 = none */
	struct hist latency;     /* issue -> completion, ns */
	struct hist queue;       /* insert -> issue, ns (requests that went through a queue) */
	struct hist req;         /* first sight (io_start, insert or issue) -> completion, ns */
};

/* Key of map procs: the process that submitted the bios (in block_bio_queue, its own context) and the
 * disk they went to (a device-mapper or md device counts as a disk here). */
struct proc_key {
	__u32 tgid;
	__u32 major;
	__u32 first_minor;
	__u32 pad;
};

/* Value of map procs, counted per bio when the request carrying it completes; index IO_READ or
 * IO_WRITE (discards and flushes are not per process). */
struct proc_io_stats {
	__u64 bytes[2];
	__u64 ops[2];
	__u64 small_ops[2];      /* bios of at most IO_SMALL_BYTES */
	__u64 large_ops[2];
	__u64 err_count;         /* bios completed with an error status */
	__u64 pad;
	struct hist latency;     /* block_bio_queue -> completion, ns */
};

#endif
