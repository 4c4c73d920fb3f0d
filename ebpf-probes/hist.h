/* SPDX-License-Identifier: Apache-2.0 */
/* Shape of every latency/size histogram kept in the kernel (contract with Java LogLinearBuckets). */
#ifndef GALA_HIST_H
#define GALA_HIST_H

#define HIST_SUB_BITS 3
#define HIST_SUB 8          /* sub-slots per power of two: median within ~9 % */
#define HIST_SLOTS 256      /* covers values up to 2^32 (4.3 s in ns, 4 GiB in bytes) */

struct hist {
	__u64 slots[HIST_SLOTS];
	__u64 sum;
	__u64 count;
};

#endif
