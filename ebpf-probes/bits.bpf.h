/* SPDX-License-Identifier: Apache-2.0 */
/* Histogram slot helpers shared by every probe. Java maps slots to bucket bounds in one place
 * (io.gala.agent.table.LogLinearBuckets), so any change here must change there too. */
#ifndef GALA_BITS_BPF_H
#define GALA_BITS_BPF_H

#include "hist.h"

static __always_inline __u64 log2_u64(__u64 v)
{
	__u64 r = 0;
	/* Unrolled binary search: the verifier rejects a data-dependent loop on old kernels. */
	if (v >> 32) { v >>= 32; r += 32; }
	if (v >> 16) { v >>= 16; r += 16; }
	if (v >> 8)  { v >>= 8;  r += 8; }
	if (v >> 4)  { v >>= 4;  r += 4; }
	if (v >> 2)  { v >>= 2;  r += 2; }
	if (v >> 1)  { r += 1; }
	return r;
}

/* Log-linear slot: HIST_SUB sub-slots per power of two, so that a median read from the histogram is
 * within 2^(1/HIST_SUB) of the truth. Values below HIST_SUB get their own slot each. Clamped to the
 * last slot. */
static __always_inline __u32 hist_slot(__u64 v)
{
	if (v < HIST_SUB)
		return v;
	__u64 p = log2_u64(v);
	__u64 sub = (v >> (p - HIST_SUB_BITS)) & (HIST_SUB - 1);
	__u64 slot = (p - HIST_SUB_BITS + 1) * HIST_SUB + sub;
	return slot >= HIST_SLOTS ? HIST_SLOTS - 1 : slot;
}

#endif
