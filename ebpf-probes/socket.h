/* SPDX-License-Identifier: Apache-2.0 */
/* Contract between socket.bpf.c and io.gala.agent.probe.socket (Layouts and its mirrors). */
#ifndef GALA_SOCKET_H
#define GALA_SOCKET_H

#define SOCK_ADDR_LEN 16

/* Values of field family. */
#define SOCK_AF_INET 2
#define SOCK_AF_INET6 10

/* A TCP listen address: the key of map listeners and the endpoint gala reports for a listener.
 * Sockets sharing it (SO_REUSEPORT groups) are one endpoint. */
struct listen_key {
	__u32 netns;               /* network namespace inode */
	__u16 family;              /* SOCK_AF_INET or SOCK_AF_INET6 */
	__u16 port;                /* local port, host byte order */
	__u8 addr[SOCK_ADDR_LEN];  /* bound address (IPv4 in the first 4 bytes); all zero = any */
};

/* Value of map listeners. Counters are cumulative since the probe attached. */
struct listen_stats {
	__u64 passive_open;        /* children created (LISTEN -> SYN_RECV): the kernel's PassiveOpens */
	__u64 passive_open_failed; /* children closed before ESTABLISHED (SYN_RECV -> CLOSE) */
	__u64 retran_synacks;      /* SYN-ACKs retransmitted (tcp:tcp_retransmit_synack) */
	__u64 ack_overflow;        /* final ACKs dropped for a full accept queue (TCP_LISTEN_OVERFLOW) */
	__u64 drops_counted;       /* drops at the listener that sk_drops counted besides tcp_listendrop() */
	__u64 closed_drops;        /* sk_drops of this key's sockets when they left LISTEN */
	__u64 listen_ns;           /* bpf_ktime_get_ns() when a socket of this key entered LISTEN; 0 = never seen */
	__u32 owner_tgid;          /* process that last called listen() on this key; 0 = unknown */
	__u32 closes;              /* sockets of this key that left LISTEN */
};

/* Key of map drops: packets the kernel dropped at a listener (skb:kfree_skb), by drop reason. */
struct listen_drop_key {
	struct listen_key listener;
	__u32 reason;              /* enum skb_drop_reason of the running kernel */
	__u32 pad;
};

/* One record of the iter/tcp program dump_listeners: one listening socket at the moment of the read. */
struct listener_record {
	struct listen_key key;
	__u64 ino;                 /* socket inode (as /proc/<pid>/fd shows socket:[ino]) */
	__u64 drops;               /* sk_drops: tcp_listendrop() calls plus packets dropped at this socket */
	__u32 ack_backlog;         /* connections in the accept queue */
	__u32 max_ack_backlog;     /* accept queue limit (listen() backlog capped by somaxconn) */
	__u32 syn_qlen;            /* request sockets (handshakes in progress, SYN queue) */
	__u32 pad;
};

/* Key of map clients: a process's connections from one local address to one remote service. */
struct client_key {
	__u32 tgid;
	__u32 netns;
	__u16 family;
	__u16 rport;               /* remote port, host byte order */
	__u32 pad;
	__u8 laddr[SOCK_ADDR_LEN];
	__u8 raddr[SOCK_ADDR_LEN];
};

/* Value of map clients. Counters are cumulative since the probe attached. */
struct client_stats {
	__u64 attempts;            /* connects started (CLOSE -> SYN_SENT) */
	__u64 no_syn;              /* connects that ended before any SYN left (no local port, no route) */
	__u64 active_open;         /* SYN_SENT -> ESTABLISHED */
	__u64 active_open_failed;  /* SYN_SENT -> CLOSE with a socket error: refused, timed out, unreachable */
	__u64 retran_syn;          /* SYN retransmissions */
	__u64 pad;
};

#endif
