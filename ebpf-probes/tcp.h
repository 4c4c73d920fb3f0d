/* SPDX-License-Identifier: Apache-2.0 */
/* Contract between tcp.bpf.c and io.gala.agent.probe.tcp (TcpRecordLayout, TcpDropKeyLayout, TcpProbe).
 * Every struct here is mirrored field by field in Java; TcpLayoutTest checks sizes and offsets against
 * the BTF of tcp.bpf.o, so a change here that is not made there fails the build. */
#ifndef GALA_TCP_H
#define GALA_TCP_H

#define TCP_ADDR_LEN 16    /* IPv6 size; IPv4 addresses use the first 4 bytes */
#define TCP_SRTT_SLOTS 24  /* octaves of srtt in us: slot k >= 1 holds [2^(k+2), 2^(k+3)), slot 0 [0, 8) */

/* struct tcp_link.role */
enum tcp_role {
	TCP_ROLE_UNKNOWN = 0,
	TCP_ROLE_CLIENT = 1, /* the socket sent the SYN (connect) */
	TCP_ROLE_SERVER = 2, /* the socket was born from a listener (accept) */
};

/* struct tcp_link.flags */
#define TCP_LINK_ZERO_RCV 0x1        /* our last advertised window was zero (state, for edge counting) */
#define TCP_LINK_ZERO_SND 0x2        /* the peer's last advertised window was zero (state) */
#define TCP_LINK_CONNECT_FAILED 0x4  /* SYN_SENT -> CLOSE: the connection never established */
#define TCP_LINK_SEEDED 0x8          /* existed before the probe started (iter/tcp seed) */
#define TCP_LINK_OWNER_GUESSED 0x10  /* tgid is the listener's owner, not yet seen doing I/O */
#define TCP_LINK_ROLE_INFERRED 0x20  /* role from map listeners, birth not seen: re-checked at each read */

/* struct tcp_record.sock_flags */
#define TCP_SOCK_FIN_RECEIVED 0x1    /* SOCK_DONE: the peer's FIN counts one in bytes_received */

/* struct tcp_record.kind */
enum tcp_record_kind {
	TCP_REC_LIVE = 0,        /* read by the links iterator at a sample */
	TCP_REC_CLOSED = 1,      /* final counters, sent on the ring buffer at TCP_CLOSE */
	TCP_REC_RST_AFTER_CLOSE = 2, /* tcp_close() sent a RST after the final record: add it there */
	TCP_REC_LISTENER = 3,    /* a listener (sock, ino, lport; link.netns, link.tgid from map listeners) */
};

/* Value of map links, keyed by the socket's kernel address: what struct tcp_sock does not keep.
 * Counters are cumulative for the life of the connection. */
struct tcp_link {
	__u32 tgid;           /* process last seen sending or receiving; else connect()/listen() caller */
	__u32 role;           /* enum tcp_role */
	__u32 flags;          /* TCP_LINK_* */
	__u32 netns;          /* network namespace inode */
	__u64 syn_sent_ns;    /* bpf_ktime_get_ns() at SYN_SENT, client side */
	__u64 connect_ns;     /* SYN_SENT -> ESTABLISHED, client side; 0 until established */
	__u64 rst_sent;
	__u64 rst_recv;
	__u64 zero_rcv_wnd;   /* times our advertised window became zero */
	__u64 zero_snd_wnd;   /* times the peer's advertised window became zero */
	__u64 srtt_sum_us;    /* srtt samples, one per received segment (tcp_probe) */
	__u64 srtt_count;
	__u32 srtt_slots[TCP_SRTT_SLOTS];
};

/* One connection: its socket's own counters (as ss -ti shows them) plus struct tcp_link. Written by
 * the links iterator (kind LIVE) and by the close path into the ring buffer (kind CLOSED). */
struct tcp_record {
	__u64 sock;           /* kernel address: the identity while the socket lives */
	__u64 ino;            /* socket inode (/proc/<pid>/fd -> socket:[ino]); 0 once the fd is closed */
	__u32 kind;           /* enum tcp_record_kind */
	__u32 family;         /* AF_INET 2, AF_INET6 10 */
	__u32 state;          /* TCP state when read */
	__u32 hz;             /* kernel CONFIG_HZ for rto_jiffies; 0 when unknown */
	__u8 laddr[TCP_ADDR_LEN];
	__u8 raddr[TCP_ADDR_LEN];
	__u16 lport;          /* host byte order */
	__u16 rport;
	__u32 sock_flags;     /* TCP_SOCK_* */
	__u64 bytes_sent;     /* payload bytes transmitted, retransmissions included */
	__u64 bytes_retrans;  /* payload bytes retransmitted */
	__u64 bytes_received; /* payload bytes received in order, plus one for a received FIN */
	__u32 segs_in;
	__u32 segs_out;
	__u32 total_retrans;  /* segments retransmitted, SYN retransmits included (RetransSegs share) */
	__u32 srtt_us;
	__u32 rto_jiffies;
	__u32 snd_cwnd;       /* segments */
	__u32 sk_drops;
	__u32 lost_out;
	__u32 sacked_out;
	__u32 pad;
	struct tcp_link link;
};

/* Key of map drops: packets of one connection freed by the kernel as dropped (skb:kfree_skb), by
 * reason. "local" is this host's side of the connection in the namespace where the drop happened. */
struct tcp_drop_key {
	__u32 netns;
	__u32 reason;         /* enum skb_drop_reason of the running kernel; 0 where it has none */
	__u16 family;
	__u16 lport;          /* host byte order */
	__u16 rport;
	__u16 pad;
	__u8 laddr[TCP_ADDR_LEN];
	__u8 raddr[TCP_ADDR_LEN];
};

/* Key of map listeners: a listening port in a namespace; value: the tgid that called listen(). */
struct tcp_listener_key {
	__u32 netns;
	__u32 port;
};

/* Index of map counters (per CPU): what the probe could not record. */
enum tcp_counter {
	TCP_CNT_LINKS_FULL = 0,     /* a connection not tracked: map links full */
	TCP_CNT_LISTENERS_FULL = 1,
	TCP_CNT_RINGBUF_FULL = 2,   /* a closed connection's final record lost */
	TCP_CNT_DROP_UNPARSED = 3,  /* a dropped packet whose IP/TCP header could not be read */
	TCP_CNT_MAX = 4,
};

#endif
