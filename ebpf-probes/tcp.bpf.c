// SPDX-License-Identifier: Apache-2.0
/* tcp: one record per TCP connection, read by io.gala.agent.probe.tcp.TcpProbe every sample period.
 *
 * The kernel already keeps most per-connection figures in struct tcp_sock (srtt, rto, cwnd, bytes,
 * segments, retransmits: what ss -ti prints). So nothing here runs per packet for them: the iterator
 * read_links (iter/tcp) copies them at each sample, next to what tcp_sock lacks, kept in map links
 * (socket address -> struct tcp_link): the owner process, the role, RSTs, zero windows, the connect
 * latency and an srtt histogram.
 *
 * Life of an entry in links:
 *  - created at CLOSE -> SYN_SENT (client, owner = the connect() caller), at LISTEN -> SYN_RECV (server
 *    child, owner = the listener's owner from map listeners), at the first send/recv of a socket not
 *    yet tracked, or by the iterator for sockets that existed before the probe started;
 *  - owner updated to the process last seen sending or receiving (sock:sock_send_length/recv_length,
 *    6.3+; older kernels keep the connect()/listen() caller and the agent resolves the rest from
 *    /proc/<pid>/fd with the socket inode);
 *  - at -> CLOSE the final counters go to ring buffer closed and the entry is deleted, so that a
 *    connection opened and closed between two samples is still reported, once, with its totals.
 *
 * Dropped packets (skb:kfree_skb) are counted by connection tuple and kernel drop reason in map drops;
 * the agent joins them to the connections. That works on every kernel, before and after the socket
 * lookup, where the skb often has no socket yet. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "bits.bpf.h"
#include "core_fixes.bpf.h"
#include "tcp.h"

#define AF_INET 2
#define AF_INET6 10
#define IPPROTO_TCP 6
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define SOCK_DONE_BIT 1 /* enum sock_flags SOCK_DONE: set by tcp_fin() */

#define TCP_ESTABLISHED 1
#define TCP_SYN_SENT 2
#define TCP_SYN_RECV 3
#define TCP_TIME_WAIT 6
#define TCP_CLOSE 7
#define TCP_LISTEN 10
#define TCP_NEW_SYN_RECV 12

#define TCPHDR_RST 0x04
#define TCPHDR_SYN 0x02

/* Network namespace inode the agent is scoped to; 0 = every namespace of the host. */
const volatile __u32 targ_netns = 0;
/* 1: keep an srtt histogram per connection from every received segment (tcp_probe). */
const volatile __u32 targ_srtt_hist = 1;
/* 1: count zero-window events per connection (tcp_probe). */
const volatile __u32 targ_zero_window = 1;

/* Resolved by libbpf from the running kernel's config; 0 when no config is readable. */
extern unsigned int CONFIG_HZ __kconfig __weak;

/* Live connections, keyed by socket address. Resized from param max_links; an entry is deleted when
 * its socket reaches TCP_CLOSE, so the size bounds connections alive at once, not connections seen. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct tcp_link);
} links SEC(".maps");

/* Listening ports -> owner tgid: the owner and the role of connections accepted from them. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct tcp_listener_key);
	__type(value, __u32);
} listeners SEC(".maps");

/* Dropped packets by connection tuple and reason. LRU: drops of tuples that belong to no connection
 * (scans, stray segments) age out instead of filling the map. Resized from param max_drops. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct tcp_drop_key);
	__type(value, __u64);
} drops SEC(".maps");

/* Final records of closed connections. 8 MiB hold ~27000 records: 1.3 s of a 10k connections/s
 * storm seen from both ends, thirteen times what arrives between two drains of the agent (every
 * 100 ms); on a loaded host the agent's reader thread may wait hundreds of milliseconds for a CPU,
 * and 2 MiB overflowed then. */
#define CLOSED_RING_SIZE (8 * 1024 * 1024)
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, CLOSED_RING_SIZE);
} closed SEC(".maps");

/* Namespaces that had a tracked connection: the agent runs read_links in each of them. LRU: namespaces
 * of finished containers age out. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u8);
} netns_seen SEC(".maps");

/* A record is assembled here: at 312 bytes it would take most of the 512-byte stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tcp_record);
} scratch SEC(".maps");

/* enum tcp_counter, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TCP_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

static const struct tcp_link no_link;

static __always_inline void count(__u32 which)
{
	__u64 *n = bpf_map_lookup_elem(&counters, &which);
	if (n)
		(*n)++;
}

/* sk is a trusted pointer in every caller (tp_btf argument, or the iterator's socket through
 * bpf_skc_to_tcp_sock()): plain loads, no bpf_probe_read_kernel() per field. These run on every state
 * change and every send/recv of the host. */
static __always_inline bool is_inet_tcp(const struct sock *sk)
{
	__u16 family = sk->__sk_common.skc_family;

	if (family != AF_INET && family != AF_INET6)
		return false;
	return sk->sk_protocol == IPPROTO_TCP;
}

static __always_inline __u32 netns_of(const struct sock *sk)
{
	return sk->__sk_common.skc_net.net->ns.inum;
}

static __always_inline bool in_scope(const struct sock *sk)
{
	return !targ_netns || netns_of(sk) == targ_netns;
}

static __always_inline struct tcp_listener_key listener_key(const struct sock *sk)
{
	struct tcp_listener_key k = {
		.netns = netns_of(sk),
		.port = sk->__sk_common.skc_num,
	};
	return k;
}

/* Returns the socket's entry, creating it with these values when absent; NULL when links is full. */
static __always_inline struct tcp_link *track(const struct sock *sk, __u32 role, __u32 tgid, __u32 flags)
{
	__u64 key = (__u64)sk;
	struct tcp_link *l = bpf_map_lookup_elem(&links, &key);
	struct tcp_link init = {};
	__u8 seen = 1;

	if (l)
		return l;
	init.tgid = tgid;
	init.role = role;
	init.flags = flags;
	init.netns = netns_of(sk);
	/* BPF_NOEXIST: a racing CPU may have inserted it first; the lookup then finds that one. */
	bpf_map_update_elem(&links, &key, &init, BPF_NOEXIST);
	l = bpf_map_lookup_elem(&links, &key);
	if (!l)
		count(TCP_CNT_LINKS_FULL);
	else if (!bpf_map_lookup_elem(&netns_seen, &init.netns))
		bpf_map_update_elem(&netns_seen, &init.netns, &seen, BPF_ANY);
	return l;
}

/* Role of a socket seen without its birth: a server if its local port is listening in its namespace. */
static __always_inline __u32 *listener_owner(const struct sock *sk)
{
	struct tcp_listener_key k = listener_key(sk);

	return bpf_map_lookup_elem(&listeners, &k);
}

/* Copies the socket's own counters and the entry into r. sk is a trusted pointer (tp_btf argument or
 * iterator context): bpf_skc_to_tcp_sock() makes the tcp_sock fields readable with plain loads, several
 * times cheaper than one bpf_probe_read_kernel() per field, which matters at 20k sockets per sample. */
static __always_inline void fill_record(struct tcp_record *r, const struct sock *sk, const struct tcp_link *l,
					__u32 kind)
{
	struct tcp_sock *tp = bpf_skc_to_tcp_sock((void *)sk);
	struct socket *so;

	__builtin_memset(r, 0, sizeof(*r) - sizeof(r->link));
	__builtin_memcpy(&r->link, l, sizeof(*l));
	r->sock = (__u64)sk;
	r->kind = kind;
	r->hz = CONFIG_HZ;
	if (!tp)
		return;
	r->family = tp->inet_conn.icsk_inet.sk.__sk_common.skc_family;
	r->state = tp->inet_conn.icsk_inet.sk.__sk_common.skc_state;
	if (r->family == AF_INET6) {
		bpf_probe_read_kernel(r->laddr, TCP_ADDR_LEN, &sk->__sk_common.skc_v6_rcv_saddr);
		bpf_probe_read_kernel(r->raddr, TCP_ADDR_LEN, &sk->__sk_common.skc_v6_daddr);
	} else {
		*(__u32 *)r->laddr = tp->inet_conn.icsk_inet.sk.__sk_common.skc_rcv_saddr;
		*(__u32 *)r->raddr = tp->inet_conn.icsk_inet.sk.__sk_common.skc_daddr;
	}
	/* Not skc_num: tcp_set_state(TCP_CLOSE) releases the port (inet_put_port zeroes it) before the
	 * tracepoint fires; inet_sport keeps it. */
	r->lport = bpf_ntohs(tp->inet_conn.icsk_inet.inet_sport);
	r->rport = bpf_ntohs(tp->inet_conn.icsk_inet.sk.__sk_common.skc_dport);
	if ((tp->inet_conn.icsk_inet.sk.__sk_common.skc_flags >> SOCK_DONE_BIT) & 1)
		r->sock_flags = TCP_SOCK_FIN_RECEIVED;
	so = BPF_CORE_READ(sk, sk_socket);
	if (so) {
		/* SOCK_INODE(): the inode is allocated right after struct socket in struct socket_alloc. */
		struct socket_alloc *sa = (void *)so - bpf_core_field_offset(struct socket_alloc, socket);
		r->ino = BPF_CORE_READ(sa, vfs_inode.i_ino);
	}
	if (bpf_core_field_exists(tp->bytes_sent)) {
		r->bytes_sent = tp->bytes_sent;
		r->bytes_retrans = tp->bytes_retrans;
	} else {
		r->bytes_sent = tp->bytes_acked;
	}
	r->bytes_received = tp->bytes_received;
	r->segs_in = tp->segs_in;
	r->segs_out = tp->segs_out;
	r->total_retrans = tp->total_retrans;
	r->srtt_us = tp->srtt_us >> 3;
	r->rto_jiffies = tp->inet_conn.icsk_rto;
	r->snd_cwnd = tp->snd_cwnd;
	r->sk_drops = tp->inet_conn.icsk_inet.sk.sk_drops.counter;
	r->lost_out = tp->lost_out;
	r->sacked_out = tp->sacked_out;
}

static __always_inline struct tcp_record *scratch_record(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&scratch, &zero);
}

static __always_inline void emit(const struct sock *sk, const struct tcp_link *l, __u32 kind)
{
	struct tcp_record *r = scratch_record();
	__u64 flags;

	if (!r)
		return;
	fill_record(r, sk, l, kind);
	/* A wakeup per record would cost more than the record: the agent drains the ring every 100 ms
	 * anyway, and is woken early only when a storm has filled half of it. */
	flags = bpf_ringbuf_query(&closed, BPF_RB_AVAIL_DATA) > CLOSED_RING_SIZE / 2 ? BPF_RB_FORCE_WAKEUP
										   : BPF_RB_NO_WAKEUP;
	if (bpf_ringbuf_output(&closed, r, sizeof(*r), flags))
		count(TCP_CNT_RINGBUF_FULL);
}

static __always_inline void remember_listener(const struct sock *sk)
{
	struct tcp_listener_key k = listener_key(sk);
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (bpf_map_update_elem(&listeners, &k, &tgid, BPF_ANY))
		count(TCP_CNT_LISTENERS_FULL);
}

static __always_inline void finish(const struct sock *sk, int oldstate)
{
	__u64 key = (__u64)sk;
	struct tcp_link *l = bpf_map_lookup_elem(&links, &key);

	if (!l)
		return;
	if (oldstate == TCP_SYN_SENT)
		l->flags |= TCP_LINK_CONNECT_FAILED;
	emit(sk, l, TCP_REC_CLOSED);
	bpf_map_delete_elem(&links, &key);
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(handle_set_state, const struct sock *sk, int oldstate, int newstate)
{
	struct tcp_link *l;
	__u32 *owner;
	__u64 key = (__u64)sk;

	/* Most transitions (FIN_WAIT*, CLOSE_WAIT, LAST_ACK, CLOSING) change nothing here: leave first. */
	if (newstate != TCP_LISTEN && newstate != TCP_SYN_SENT && newstate != TCP_SYN_RECV &&
	    newstate != TCP_ESTABLISHED && newstate != TCP_CLOSE)
		return 0;
	if (!is_inet_tcp(sk) || !in_scope(sk))
		return 0;
	switch (newstate) {
	case TCP_LISTEN:
		remember_listener(sk);
		break;
	case TCP_SYN_SENT:
		/* connect() runs in the caller's context: current is the owner. */
		l = track(sk, TCP_ROLE_CLIENT, bpf_get_current_pid_tgid() >> 32, 0);
		if (l)
			l->syn_sent_ns = bpf_ktime_get_ns();
		break;
	case TCP_SYN_RECV:
		/* A child cloned from its listener, in softirq: current is whoever was interrupted. */
		if (oldstate == TCP_LISTEN) {
			owner = listener_owner(sk);
			track(sk, TCP_ROLE_SERVER, owner ? *owner : 0, TCP_LINK_OWNER_GUESSED);
		}
		break;
	case TCP_ESTABLISHED:
		l = bpf_map_lookup_elem(&links, &key);
		if (!l && oldstate == TCP_SYN_RECV) {
			owner = listener_owner(sk);
			l = track(sk, TCP_ROLE_SERVER, owner ? *owner : 0, TCP_LINK_OWNER_GUESSED);
		} else if (!l) {
			/* SYN-ACK processing runs in softirq: current is not the owner. */
			l = track(sk, TCP_ROLE_CLIENT, 0, 0);
		}
		if (l && oldstate == TCP_SYN_SENT && l->syn_sent_ns)
			l->connect_ns = bpf_ktime_get_ns() - l->syn_sent_ns;
		break;
	case TCP_CLOSE:
		if (oldstate == TCP_LISTEN) {
			struct tcp_listener_key k = listener_key(sk);
			bpf_map_delete_elem(&listeners, &k);
		} else if (oldstate != TCP_CLOSE) {
			finish(sk, oldstate);
		}
		break;
	}
	return 0;
}

/* The socket's owner is the process last seen doing I/O on it; sockets not yet tracked (existing
 * before the probe, in a namespace the seed did not reach, or missed while links was full) start here. */
static __always_inline void saw_io(struct sock *sk)
{
	__u64 key = (__u64)sk;
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct tcp_link *l;
	__u8 state;

	if (!is_inet_tcp(sk))
		return;
	l = bpf_map_lookup_elem(&links, &key);
	if (l) {
		if (l->tgid != tgid)
			l->tgid = tgid;
		if (l->flags & TCP_LINK_OWNER_GUESSED)
			__sync_fetch_and_and(&l->flags, ~TCP_LINK_OWNER_GUESSED);
		return;
	}
	state = sk->__sk_common.skc_state;
	if (state == TCP_CLOSE || state == TCP_LISTEN || state == TCP_SYN_SENT || state == TCP_TIME_WAIT ||
	    state == TCP_NEW_SYN_RECV || !in_scope(sk))
		return;
	/* The listeners map may not know this socket's listener yet (the probe started after listen(); the
	 * first read_links fills it in): the iterator re-checks the role until it is settled. */
	track(sk, listener_owner(sk) ? TCP_ROLE_SERVER : TCP_ROLE_CLIENT, tgid, TCP_LINK_ROLE_INFERRED);
}

SEC("tp_btf/sock_send_length")
int BPF_PROG(handle_send_length, struct sock *sk)
{
	saw_io(sk);
	return 0;
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(handle_recv_length, struct sock *sk)
{
	saw_io(sk);
	return 0;
}

/* 4.16+: (sk, skb); 6.10 adds the reason. sk is NULL for a RST answering a packet without a socket
 * (the socket probe's business) and may be a timewait or request socket: only tracked ones count. */
SEC("tp_btf/tcp_send_reset")
int BPF_PROG(handle_send_reset, const struct sock *sk)
{
	__u64 key = (__u64)sk;
	struct tcp_link *l;

	if (!sk)
		return 0;
	l = bpf_map_lookup_elem(&links, &key);
	if (l) {
		__sync_fetch_and_add(&l->rst_sent, 1);
		return 0;
	}
	/* tcp_close() with unread data and tcp_disconnect() move to TCP_CLOSE first and send the RST
	 * after: the final record is already out, the agent adds this RST to it. A socket in TCP_CLOSE is
	 * a full socket (timewait and request sockets have states of their own). */
	if (sk->__sk_common.skc_state == TCP_CLOSE && is_inet_tcp(sk) && in_scope(sk))
		emit(sk, &no_link, TCP_REC_RST_AFTER_CLOSE);
	return 0;
}

SEC("tp_btf/tcp_receive_reset")
int BPF_PROG(handle_receive_reset, struct sock *sk)
{
	__u64 key = (__u64)sk;
	struct tcp_link *l = bpf_map_lookup_elem(&links, &key);

	if (l)
		__sync_fetch_and_add(&l->rst_recv, 1);
	return 0;
}

/* Counts a transition into "window is zero", not every segment that sees it. */
static __always_inline void zero_edge(struct tcp_link *l, __u32 bit, bool zero, __u64 *events)
{
	if (zero) {
		if (!(l->flags & bit)) {
			l->flags |= bit;
			(*events)++;
		}
	} else if (l->flags & bit) {
		l->flags &= ~bit;
	}
}

/* Fires at the start of tcp_rcv_established() for every segment an established socket receives, with
 * the socket locked: updates of one entry here are serialized, plain (non-atomic) ones suffice. */
SEC("tp_btf/tcp_probe")
int BPF_PROG(handle_tcp_probe, struct sock *sk, struct sk_buff *skb)
{
	__u64 key = (__u64)sk;
	struct tcp_link *l = bpf_map_lookup_elem(&links, &key);
	struct tcp_sock *tp;
	__u32 srtt, slot;

	if (!l)
		return 0;
	tp = bpf_skc_to_tcp_sock(sk);
	if (!tp)
		return 0;
	if (targ_srtt_hist) {
		srtt = tp->srtt_us >> 3;
		if (srtt) {
			slot = hist_slot(srtt) >> HIST_SUB_BITS;
			if (slot >= TCP_SRTT_SLOTS)
				slot = TCP_SRTT_SLOTS - 1;
			l->srtt_slots[slot]++;
			l->srtt_sum_us += srtt;
			l->srtt_count++;
		}
	}
	if (targ_zero_window) {
		/* skb->data is the TCP header here: flags at byte 13, the raw window at 14. The raw window is
		 * zero exactly when the scaled one is. */
		__u8 hdr[4] = {};

		bpf_probe_read_kernel(hdr, sizeof(hdr), skb->data + 12);
		if (!(hdr[1] & (TCPHDR_RST | TCPHDR_SYN)))
			zero_edge(l, TCP_LINK_ZERO_SND, hdr[2] == 0 && hdr[3] == 0, &l->zero_snd_wnd);
		zero_edge(l, TCP_LINK_ZERO_RCV, tp->rcv_wnd == 0, &l->zero_rcv_wnd);
	}
	return 0;
}

/* Reads the IP and TCP headers of a dropped packet into k (addresses as on the wire: src, dst). */
static __always_inline int parse_tuple(struct sk_buff *skb, __u16 proto, struct tcp_drop_key *k, __u16 *sport,
				       __u16 *dport, __u8 *src, __u8 *dst)
{
	unsigned char *head = BPF_CORE_READ(skb, head);
	__u16 nh = BPF_CORE_READ(skb, network_header);
	unsigned char *th;
	__u16 ports[2];

	/* (u16)~0 marks "not set" (skb_network_header_was_set); 0 also never points at an IP header. */
	if (!head || nh == 0xffff || nh == 0)
		return -1;
	if (proto == ETH_P_IP) {
		struct iphdr ip;

		if (bpf_probe_read_kernel(&ip, sizeof(ip), head + nh) || ip.version != 4 || ip.protocol != IPPROTO_TCP)
			return -1;
		/* Non-first fragments carry no TCP header. */
		if (bpf_ntohs(ip.frag_off) & 0x1fff)
			return -1;
		__builtin_memcpy(src, &ip.saddr, 4);
		__builtin_memcpy(dst, &ip.daddr, 4);
		th = head + nh + ip.ihl * 4;
		k->family = AF_INET;
	} else {
		struct ipv6hdr ip6;

		/* Extension headers are not followed: such drops count as unparsed. */
		if (bpf_probe_read_kernel(&ip6, sizeof(ip6), head + nh) || ip6.nexthdr != IPPROTO_TCP)
			return -1;
		__builtin_memcpy(src, &ip6.saddr, TCP_ADDR_LEN);
		__builtin_memcpy(dst, &ip6.daddr, TCP_ADDR_LEN);
		th = head + nh + sizeof(ip6);
		k->family = AF_INET6;
	}
	if (bpf_probe_read_kernel(ports, sizeof(ports), th))
		return -1;
	*sport = bpf_ntohs(ports[0]);
	*dport = bpf_ntohs(ports[1]);
	return 0;
}

/* Classic tracepoint: its fields grew over time (reason 5.17, rx_sk 6.11) and CO-RE reads the ones this
 * kernel has, where a tp_btf program would be bound to one argument list. Fires only for drops
 * (consumed packets go to skb:consume_skb). */
SEC("tracepoint/skb/kfree_skb")
int handle_kfree_skb(struct trace_event_raw_kfree_skb *ctx)
{
	struct tcp_drop_key k = {};
	__u8 src[TCP_ADDR_LEN] = {}, dst[TCP_ADDR_LEN] = {};
	__u16 proto = ctx->protocol, sport, dport;
	struct sk_buff *skb = ctx->skbaddr;
	struct sock *sk = NULL;
	struct net_device *dev;
	__u64 *n, one = 1;

	if (proto != ETH_P_IP && proto != ETH_P_IPV6)
		return 0;
	if (parse_tuple(skb, proto, &k, &sport, &dport, src, dst)) {
		count(TCP_CNT_DROP_UNPARSED);
		return 0;
	}
	if (bpf_core_field_exists(ctx->reason))
		k.reason = ctx->reason;
	if (bpf_core_field_exists(ctx->rx_sk))
		sk = ctx->rx_sk;
	if (!sk)
		sk = BPF_CORE_READ(skb, sk);
	dev = BPF_CORE_READ(skb, dev);
	k.netns = dev ? BPF_CORE_READ(dev, nd_net.net, ns.inum) : (sk ? sock_netns(sk) : 0);
	if (targ_netns && k.netns != targ_netns)
		return 0;
	/* Which end is this host's: the socket's port says so when the packet carries one (sending side,
	 * or receiving side after the socket lookup); without one the drop happened on the way in. */
	if (sk && BPF_CORE_READ(sk, __sk_common.skc_num) == sport) {
		k.lport = sport;
		k.rport = dport;
		__builtin_memcpy(k.laddr, src, TCP_ADDR_LEN);
		__builtin_memcpy(k.raddr, dst, TCP_ADDR_LEN);
	} else {
		k.lport = dport;
		k.rport = sport;
		__builtin_memcpy(k.laddr, dst, TCP_ADDR_LEN);
		__builtin_memcpy(k.raddr, src, TCP_ADDR_LEN);
	}
	n = bpf_map_lookup_elem(&drops, &k);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&drops, &k, &one, BPF_NOEXIST);
	return 0;
}

/* Sample read, run in each namespace with connections (iter/tcp walks the namespace of the thread that
 * creates the iterator: the agent enters each in turn). One record per connection, with the socket's
 * counters as of now (under the socket's lock, as ss reads them), and one per listener so that the agent
 * can resolve listener owners. A connection not yet tracked (it existed before the probe started, or
 * was missed while links was full) is tracked from here on, owner unknown until the agent resolves its
 * inode. Listeners come first in the walk, so the roles of their children are known. */
SEC("iter/tcp")
int read_links(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	const struct sock *sk;
	struct tcp_sock *tp;
	struct tcp_listener_key k;
	struct tcp_record *r;
	struct tcp_link *l;
	__u32 zero = 0, *owner;
	__u8 state;

	if (!skc)
		return 0;
	state = skc->skc_state;
	if (skc->skc_family != AF_INET && skc->skc_family != AF_INET6)
		return 0;
	/* Timewait and request sockets are not full sockets; a socket in TCP_CLOSE has been reported. */
	if (state == TCP_TIME_WAIT || state == TCP_NEW_SYN_RECV || state == TCP_CLOSE)
		return 0;
	/* Typed as tcp_sock for the verifier, so that struct sock fields past sock_common are readable. */
	tp = bpf_skc_to_tcp_sock(skc);
	if (!tp)
		return 0;
	sk = (const struct sock *)tp;
	if (!in_scope(sk))
		return 0;
	r = scratch_record();
	if (!r)
		return 0;
	if (state == TCP_LISTEN) {
		k = listener_key(sk);
		bpf_map_update_elem(&listeners, &k, &zero, BPF_NOEXIST);
		owner = bpf_map_lookup_elem(&listeners, &k);
		if (!owner)
			count(TCP_CNT_LISTENERS_FULL);
		fill_record(r, sk, &no_link, TCP_REC_LISTENER);
		r->link.netns = k.netns;
		r->link.tgid = owner ? *owner : 0;
		bpf_seq_write(ctx->meta->seq, r, sizeof(*r));
		return 0;
	}
	__u64 key = (__u64)sk;
	l = bpf_map_lookup_elem(&links, &key);
	if (!l) {
		l = track(sk, listener_owner(sk) ? TCP_ROLE_SERVER : TCP_ROLE_CLIENT, 0, TCP_LINK_SEEDED);
	} else if (l->flags & TCP_LINK_ROLE_INFERRED) {
		/* First seen doing I/O, before this walk's listeners were in the map (a busy connection that
		 * predates the probe: pgbench's): listeners come first in the walk, so the answer is final now. */
		l->role = listener_owner(sk) ? TCP_ROLE_SERVER : TCP_ROLE_CLIENT;
		__sync_fetch_and_and(&l->flags, ~TCP_LINK_ROLE_INFERRED);
	}
	if (!l)
		return 0;
	fill_record(r, sk, l, TCP_REC_LIVE);
	bpf_seq_write(ctx->meta->seq, r, sizeof(*r));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
