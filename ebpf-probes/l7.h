/* SPDX-License-Identifier: Apache-2.0 */
/* Contract between l7.bpf.c and io.gala.agent.probe.l7 (CaptureEvent, L7Probe). */
#ifndef GALA_L7_H
#define GALA_L7_H

/* Largest payload prefix one event carries; targ_capture_bytes is clamped to it. A power of two: the
 * program masks offsets with L7_DATA_MAX - 1. */
#define L7_DATA_MAX 4096
/* Words of the snooped-process bitmap: PID_MAX_LIMIT (4M) tgids, 64 per word. */
#define L7_SNOOP_WORDS 65536
/* Slots of the direct-mapped verdict cache: 2^L7_VERDICT_BITS. A slot holds a socket address, with
 * bit 0 set while the socket is traced and clear once the agent said IGNORE (sockets are aligned). */
#define L7_VERDICT_BITS 14
#define L7_VERDICT_SLOTS (1 << L7_VERDICT_BITS)
#define L7_SLOT_TRACED 1
/* iovec entries copied from for readv/writev/sendmsg/recvmsg (HTTP servers write header and body). */
#define L7_MAX_IOV 4

/* What an event reports. */
enum l7_kind {
	L7_SEND = 0,  /* the process sent len bytes on the socket */
	L7_RECV = 1,  /* the process received len bytes */
	L7_CLOSE = 2, /* the socket reached TCP_CLOSE: forget it */
};

/* Event flags. */
#define L7_F_NO_DATA 1 /* the bytes were not readable from here (io_uring, sendfile, mmsg, peeked) */
#define L7_F_NEW 2     /* the first event of this socket: ptgid and comm are set */
#define L7_F_SSL 4     /* plaintext of a TLS connection from the OpenSSL uprobes; sock has L7_SSL_STREAM */

/* Set in l7_event.sock (and the conns key) for the plaintext stream of a TLS socket, whose ciphertext
 * is skipped: the stream is a connection of its own for the agent. Sockets are aligned, bit 0 is free. */
#define L7_SSL_STREAM 1

/* One ring buffer record: this header, then `captured` bytes of the I/O's payload. */
struct l7_event {
	__u64 ts_ns;     /* bpf_ktime_get_ns() when the I/O completed */
	__u64 sock;      /* kernel address of the struct sock: the connection's identity while it lives */
	__u32 tgid;
	__u32 len;       /* bytes the I/O moved */
	__u32 captured;  /* payload bytes that follow this header */
	__u16 sport;     /* local port, host order */
	__u16 dport;     /* remote port, host order */
	__u8 kind;       /* enum l7_kind */
	__u8 family;     /* AF_INET or AF_INET6 */
	__u8 flags;      /* L7_F_* */
	__u8 pad;
	__u32 ptgid;     /* with L7_F_NEW: the parent's tgid (a server's workers report under it) */
	__u8 saddr[16];  /* local address; IPv4 in the first 4 bytes */
	__u8 daddr[16];  /* remote address */
	char comm[16];   /* with L7_F_NEW: the process name, known even if it exits before the agent looks */
	__u32 slot;      /* index of the socket's entry in map verdicts: the agent writes IGNORE there */
	__u32 pad2;
};

/* Verdicts the agent writes into map conns after looking at a connection's first bytes. */
enum l7_verdict {
	L7_TRACE = 0,  /* send its I/O (the default while the protocol is being detected) */
	L7_IGNORE = 1, /* not a parsed protocol, or not wanted: send nothing more */
	L7_SSL = 2,    /* set by the kernel: ciphertext of a TLS socket, not sent; its plaintext comes from
			* the OpenSSL uprobes under the key sock | L7_SSL_STREAM */
};

/* Value of map conns, keyed by the struct sock address. */
struct l7_conn {
	__u32 verdict;
	__u32 tgid;
};

/* Indexes of the per-CPU map counters. */
enum l7_counter {
	L7_CNT_EVENTS = 0,     /* events written to the ring buffer */
	L7_CNT_LOST = 1,       /* events the full ring buffer refused */
	L7_CNT_CONNS_FULL = 2, /* new sockets not tracked because map conns was full */
	L7_CNT_NO_DATA = 3,    /* events without payload (syscall not readable from here) */
	L7_CNT_READ_FAIL = 4,  /* payload copies from user memory that failed */
	L7_CNT_SSL_NO_SOCK = 5, /* SSL_read/SSL_write returns whose socket was not known: not sent */
	L7_CNT_MAX = 6,
};

#endif
