// SPDX-License-Identifier: Apache-2.0
/* socket: TCP endpoints. Per listen address: passive opens, SYN-ACK retransmits, drops at the listener
 * by reason, and (from iter/tcp at every read) the queues and sk_drops of each listening socket. Per
 * process and remote service: connects started, established, failed, SYN retransmits. Read by
 * io.gala.agent.probe.socket.SocketProbe every sample period.
 *
 * Which listener an event belongs to: the listening socket itself where the hook passes it (iter/tcp,
 * LISTEN transitions, tcp_retransmit_synack, kfree_skb's rx_sk from 6.11); a child socket during its
 * creation is a copy of the listener, so its local address and port find the listen address (exact,
 * then the wildcard address); on kernels without rx_sk the dropped packet's destination does. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "maps.bpf.h"
#include "socket.h"

#define TCPHDR_ACK 0x10

/* Network namespace inode the agent is scoped to; 0 = every namespace. */
const volatile __u32 targ_netns = 0;

/* Listen address -> counters; a host has few listen addresses. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct listen_key);
	__type(value, struct listen_stats);
} listeners SEC(".maps");

/* (listen address, drop reason) -> packets; a listener sees few distinct reasons. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, struct listen_drop_key);
	__type(value, __u64);
} drops SEC(".maps");

/* (process, local address, remote service) -> connect counters; the agent deletes a process's keys
 * after its exit has been reported. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct client_key);
	__type(value, struct client_stats);
} clients SEC(".maps");

/* Socket address -> its client key while it is in SYN_SENT: later events of the connect run in softirq
 * or timer context, where the current task is not the owner. LRU, so that a missed exit cannot fill it. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct client_key);
} connecting SEC(".maps");

/* Count of updates that found a map full, by map: [0] listeners, [1] drops, [2] clients. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __u64);
} map_full SEC(".maps");

/* Never read: makes the object's BTF describe the iterator's record, which no map or argument carries,
 * so that the agent's test can check its Java mirror against it. */
const volatile struct listener_record *const listener_record_btf = 0;

static const struct listen_stats zero_listen;
static const struct client_stats zero_client;

static __always_inline void count_full(__u32 which)
{
	__u64 *n = bpf_map_lookup_elem(&map_full, &which);
	if (n)
		(*n)++;
}

static __always_inline bool in_scope(__u32 netns)
{
	return !targ_netns || netns == targ_netns;
}

/* Every hook of this file passes BTF-typed sockets (tp_btf, iter), which are read directly: a plain load
 * instead of a bpf_probe_read_kernel() call per field, which matters on inet_sock_set_state, fired about
 * ten times per connection. */

static __always_inline __u32 netns_of(const struct sock *sk)
{
	return sk->__sk_common.skc_net.net->ns.inum;
}

/* sk_drops_read(): sk_drops, or the per-NUMA-node counters that replace it for some sockets (6.18). */
static __always_inline __u64 sock_drops(const struct sock *sk)
{
	__u64 n = (__u32)sk->sk_drops.counter;
	if (bpf_core_field_exists(sk->sk_drop_counters)) {
		struct numa_drop_counters *ndc = sk->sk_drop_counters;
		if (ndc)
			n += (__u32)ndc->drops0.counter + (__u32)ndc->drops1.counter;
	}
	return n;
}

/* The socket's local address and port. A child being created carries its listener's port and the
 * request's local address, which is its listener's unless that listens on a wildcard address. */
static __always_inline void listen_key_of(const struct sock *sk, struct listen_key *k)
{
	__builtin_memset(k, 0, sizeof(*k));
	k->netns = netns_of(sk);
	k->family = sk->__sk_common.skc_family;
	k->port = sk->__sk_common.skc_num;
	if (k->family == SOCK_AF_INET6)
		__builtin_memcpy(k->addr, sk->__sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8, SOCK_ADDR_LEN);
	else
		*(__u32 *)k->addr = sk->__sk_common.skc_rcv_saddr;
}

/* The listen address serving k: k itself, else the wildcard address of its family, else (IPv4 only)
 * a dual-stack IPv6 wildcard listener. Never creates an entry. */
static __always_inline struct listen_stats *find_listener(struct listen_key *k)
{
	struct listen_stats *s = bpf_map_lookup_elem(&listeners, k);
	if (s)
		return s;
	__builtin_memset(k->addr, 0, sizeof(k->addr));
	s = bpf_map_lookup_elem(&listeners, k);
	if (s || k->family != SOCK_AF_INET)
		return s;
	k->family = SOCK_AF_INET6;
	return bpf_map_lookup_elem(&listeners, k);
}

static __always_inline struct listen_stats *listener_entry(const struct listen_key *k)
{
	struct listen_stats *s = lookup_or_try_init(&listeners, k, &zero_listen);
	if (!s)
		count_full(0);
	return s;
}

/* iter/tcp walks every TCP socket of the namespace the reading thread is in; the agent reads it once
 * per namespace with listeners. Only full listening sockets are written out. */
SEC("iter/tcp")
int dump_listeners(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	struct seq_file *seq = ctx->meta->seq;
	struct listener_record rec = {};
	struct tcp_sock *tp;
	struct sock *sk;
	struct socket *sock;

	if (!skc || skc->skc_state != TCP_LISTEN)
		return 0;
	tp = bpf_skc_to_tcp_sock(skc);
	if (!tp)
		return 0;
	sk = (struct sock *)tp;
	listen_key_of(sk, &rec.key);
	if (!in_scope(rec.key.netns))
		return 0;
	/* Registers listeners that existed before the probe, so that events find their key. */
	listener_entry(&rec.key);
	sock = sk->sk_socket;
	if (sock) {
		/* struct socket is the first member of struct socket_alloc, the inode follows it: the cast
		 * leaves BTF typing, so read it the slow way. */
		struct socket_alloc *sa = (struct socket_alloc *)sock;
		rec.ino = BPF_CORE_READ(sa, vfs_inode.i_ino);
	}
	rec.drops = sock_drops(sk);
	rec.ack_backlog = sk->sk_ack_backlog;
	rec.max_ack_backlog = sk->sk_max_ack_backlog;
	rec.syn_qlen = tp->inet_conn.icsk_accept_queue.qlen.counter;
	bpf_seq_write(seq, &rec, sizeof(rec));
	return 0;
}

static __always_inline void client_key_of(const struct sock *sk, __u32 tgid, __u32 netns, struct client_key *k)
{
	__builtin_memset(k, 0, sizeof(*k));
	k->tgid = tgid;
	k->netns = netns;
	k->family = sk->__sk_common.skc_family;
	k->rport = bpf_ntohs(sk->__sk_common.skc_dport);
	if (k->family == SOCK_AF_INET6) {
		__builtin_memcpy(k->laddr, sk->__sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8, SOCK_ADDR_LEN);
		__builtin_memcpy(k->raddr, sk->__sk_common.skc_v6_daddr.in6_u.u6_addr8, SOCK_ADDR_LEN);
	} else {
		*(__u32 *)k->laddr = sk->__sk_common.skc_rcv_saddr;
		*(__u32 *)k->raddr = sk->__sk_common.skc_daddr;
	}
}

static __always_inline struct client_stats *client_entry(const struct client_key *k)
{
	struct client_stats *s = lookup_or_try_init(&clients, k, &zero_client);
	if (!s)
		count_full(2);
	return s;
}

/* connect(): runs in the caller's context, so the current task owns the socket. */
static __always_inline void on_connect_start(const struct sock *sk, __u32 netns)
{
	__u64 skaddr = (__u64)sk;
	struct client_key k;
	struct client_stats *s;

	client_key_of(sk, bpf_get_current_pid_tgid() >> 32, netns, &k);
	s = client_entry(&k);
	if (!s)
		return;
	__sync_fetch_and_add(&s->attempts, 1);
	bpf_map_update_elem(&connecting, &skaddr, &k, BPF_ANY);
}

static __always_inline void on_connect_end(const struct sock *sk, int newstate)
{
	__u64 skaddr = (__u64)sk;
	struct client_key *k = bpf_map_lookup_elem(&connecting, &skaddr);
	struct client_stats *s;

	if (!k)
		return;
	s = bpf_map_lookup_elem(&clients, k);
	if (s) {
		if (newstate == TCP_ESTABLISHED)
			__sync_fetch_and_add(&s->active_open, 1);
		/* tcp_done_with_error() sets sk_err before the state change; a close by the application
		 * leaves it 0. A connect that failed before tcp_connect() (inet_hash_connect: no free local
		 * port) never sent a segment. */
		else if (sk->sk_err)
			__sync_fetch_and_add(&s->active_open_failed, 1);
		/* A cast BTF pointer is checked against struct sock's size: read tcp_sock the slow way. */
		else if (BPF_CORE_READ((struct tcp_sock *)sk, segs_out) == 0)
			__sync_fetch_and_add(&s->no_syn, 1);
	}
	bpf_map_delete_elem(&connecting, &skaddr);
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(handle_set_state, const struct sock *sk, int oldstate, int newstate)
{
	struct listen_stats *s;
	struct listen_key k;
	__u32 netns;

	/* Most transitions of a connection matter not here: decide on the states, which cost nothing, before
	 * reading the socket. */
	if (newstate != TCP_LISTEN && newstate != TCP_SYN_SENT && oldstate != TCP_LISTEN &&
	    oldstate != TCP_SYN_SENT && !(oldstate == TCP_SYN_RECV && newstate == TCP_CLOSE))
		return 0;
	if (sk->sk_protocol != IPPROTO_TCP)
		return 0;
	netns = netns_of(sk);
	if (!in_scope(netns))
		return 0;

	if (newstate == TCP_LISTEN) {
		listen_key_of(sk, &k);
		s = listener_entry(&k);
		if (!s)
			return 0;
		s->listen_ns = bpf_ktime_get_ns();
		/* listen() runs in the owner's context. */
		s->owner_tgid = bpf_get_current_pid_tgid() >> 32;
		return 0;
	}
	if (oldstate == TCP_LISTEN && newstate == TCP_SYN_RECV) {
		/* inet_csk_clone_lock(): the child is still a copy of its listener. */
		listen_key_of(sk, &k);
		s = find_listener(&k);
		if (s)
			__sync_fetch_and_add(&s->passive_open, 1);
		return 0;
	}
	if (oldstate == TCP_LISTEN) {
		/* Keep what sk_drops counted: the socket, and its counter, go away now. */
		listen_key_of(sk, &k);
		s = bpf_map_lookup_elem(&listeners, &k);
		if (s) {
			__sync_fetch_and_add(&s->closed_drops, sock_drops(sk));
			__sync_fetch_and_add(&s->closes, 1);
		}
		return 0;
	}
	if (oldstate == TCP_SYN_RECV && newstate == TCP_CLOSE) {
		listen_key_of(sk, &k);
		s = find_listener(&k);
		if (s)
			__sync_fetch_and_add(&s->passive_open_failed, 1);
		return 0;
	}
	if (newstate == TCP_SYN_SENT)
		on_connect_start(sk, netns);
	else if (oldstate == TCP_SYN_SENT)
		on_connect_end(sk, newstate);
	return 0;
}

/* sk is the listener (from the request timer), or a Fast Open child in SYN_RECV. */
SEC("tp_btf/tcp_retransmit_synack")
int BPF_PROG(handle_retransmit_synack, const struct sock *sk, const struct request_sock *req)
{
	struct listen_stats *s;
	struct listen_key k;

	listen_key_of(sk, &k);
	if (!in_scope(k.netns))
		return 0;
	s = find_listener(&k);
	if (s)
		__sync_fetch_and_add(&s->retran_synacks, 1);
	return 0;
}

static __always_inline void on_retransmit(const struct sock *sk)
{
	__u64 skaddr = (__u64)sk;
	struct client_key *k;
	struct client_stats *s;

	if (sk->__sk_common.skc_state != TCP_SYN_SENT)
		return;
	k = bpf_map_lookup_elem(&connecting, &skaddr);
	if (!k)
		return;
	s = bpf_map_lookup_elem(&clients, k);
	if (s)
		__sync_fetch_and_add(&s->retran_syn, 1);
}

/* Until 6.12 the tracepoint fires only for retransmits that went out. */
SEC("tp_btf/tcp_retransmit_skb")
int BPF_PROG(handle_retransmit_skb, const struct sock *sk, const struct sk_buff *skb)
{
	on_retransmit(sk);
	return 0;
}

/* From 6.13 it fires for failed attempts too, with their error: count only those that went out, as
 * TcpExtTCPSynRetrans does. */
SEC("tp_btf/tcp_retransmit_skb")
int BPF_PROG(handle_retransmit_skb_err, const struct sock *sk, const struct sk_buff *skb, int err)
{
	if (!err)
		on_retransmit(sk);
	return 0;
}

static __always_inline __u8 tcp_flags_of(const struct sk_buff *skb)
{
	unsigned char *head = BPF_CORE_READ(skb, head);
	__u16 th = BPF_CORE_READ(skb, transport_header);
	__u8 flags = 0;

	bpf_probe_read_kernel(&flags, 1, head + th + 13);
	return flags;
}

/* What sk_drops_skbadd() adds for this packet. */
static __always_inline __u32 skb_segs(const struct sk_buff *skb)
{
	unsigned char *head = BPF_CORE_READ(skb, head);
	struct skb_shared_info *si = (struct skb_shared_info *)(head + BPF_CORE_READ(skb, end));
	__u16 segs = BPF_CORE_READ(si, gso_segs);

	return segs ? segs : 1;
}

static __always_inline void count_drop(const struct listen_key *k, struct listen_stats *s, __u32 reason,
				       __u32 counted)
{
	struct listen_drop_key dk = {};
	__u64 *n, one = 1;

	dk.listener = *k;
	dk.reason = reason;
	n = bpf_map_lookup_elem(&drops, &dk);
	if (n)
		__sync_fetch_and_add(n, 1);
	else if (bpf_map_update_elem(&drops, &dk, &one, BPF_NOEXIST))
		count_full(1);
	if (counted)
		__sync_fetch_and_add(&s->drops_counted, counted);
	if (bpf_core_enum_value_exists(enum skb_drop_reason, SKB_DROP_REASON_TCP_LISTEN_OVERFLOW) &&
	    reason == bpf_core_enum_value(enum skb_drop_reason, SKB_DROP_REASON_TCP_LISTEN_OVERFLOW))
		__sync_fetch_and_add(&s->ack_overflow, 1);
}

/* Whether the path that freed this packet at a listener also added it to sk_drops. tcp_v4_rcv's
 * discard_and_relse and tcp_drop_reason() do; tcp_v[46]_do_rcv's reset/discard path does not: it frees
 * packets with a bad checksum, and ACKs sent to the listener itself (reason TCP_FLAGS with ACK set;
 * other TCP_FLAGS drops come from tcp_rcv_state_process, which counts them). */
static __always_inline __u32 counted_in_sk_drops(const struct sk_buff *skb, __u32 reason)
{
	if (bpf_core_enum_value_exists(enum skb_drop_reason, SKB_DROP_REASON_TCP_CSUM) &&
	    reason == bpf_core_enum_value(enum skb_drop_reason, SKB_DROP_REASON_TCP_CSUM))
		return 0;
	if (bpf_core_enum_value_exists(enum skb_drop_reason, SKB_DROP_REASON_TCP_FLAGS) &&
	    reason == bpf_core_enum_value(enum skb_drop_reason, SKB_DROP_REASON_TCP_FLAGS) &&
	    (tcp_flags_of(skb) & TCPHDR_ACK))
		return 0;
	return skb_segs(skb);
}

/* 6.11+: the listener that dropped the packet is rx_sk. */
SEC("tp_btf/kfree_skb")
int BPF_PROG(handle_kfree_skb_sk, struct sk_buff *skb, void *location, enum skb_drop_reason reason,
	     struct sock *rx_sk)
{
	struct listen_stats *s;
	struct listen_key k;

	if (!rx_sk || rx_sk->__sk_common.skc_state != TCP_LISTEN || rx_sk->sk_protocol != IPPROTO_TCP)
		return 0;
	listen_key_of(rx_sk, &k);
	if (!in_scope(k.netns))
		return 0;
	s = bpf_map_lookup_elem(&listeners, &k);
	if (s)
		count_drop(&k, s, reason, counted_in_sk_drops(skb, reason));
	return 0;
}

/* Before 6.11 the tracepoint does not say which socket dropped the packet. Only TCP_LISTEN_OVERFLOW
 * is certain to be a listener's drop; its listener is found from the packet's destination. */
SEC("tp_btf/kfree_skb")
int BPF_PROG(handle_kfree_skb, struct sk_buff *skb, void *location, enum skb_drop_reason reason)
{
	struct listen_stats *s;
	struct listen_key k = {};
	struct listen_key found;
	unsigned char *head;
	__u16 nh, th, dport = 0;
	__u8 version = 0;

	if (!bpf_core_enum_value_exists(enum skb_drop_reason, SKB_DROP_REASON_TCP_LISTEN_OVERFLOW) ||
	    reason != bpf_core_enum_value(enum skb_drop_reason, SKB_DROP_REASON_TCP_LISTEN_OVERFLOW))
		return 0;
	head = BPF_CORE_READ(skb, head);
	nh = BPF_CORE_READ(skb, network_header);
	th = BPF_CORE_READ(skb, transport_header);
	bpf_probe_read_kernel(&version, 1, head + nh);
	bpf_probe_read_kernel(&dport, 2, head + th + 2);
	k.netns = BPF_CORE_READ(skb, dev, nd_net.net, ns.inum);
	if (!in_scope(k.netns))
		return 0;
	k.port = bpf_ntohs(dport);
	if ((version >> 4) == 4) {
		k.family = SOCK_AF_INET;
		bpf_probe_read_kernel(&k.addr, 4, head + nh + 16);
	} else {
		k.family = SOCK_AF_INET6;
		bpf_probe_read_kernel(&k.addr, 16, head + nh + 24);
	}
	found = k;
	s = find_listener(&found);
	if (s)
		count_drop(&found, s, reason, skb_segs(skb));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
