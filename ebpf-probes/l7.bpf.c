// SPDX-License-Identifier: Apache-2.0
/* l7: bounded prefixes of TCP socket payloads, with length, direction, time and the connection, into a
 * ring buffer that io.gala.agent.probe.l7.L7Probe parses (Redis, PostgreSQL, MySQL, HTTP/1, Kafka).
 *
 * Two ways in, the agent enables one:
 *  - sockets (6.3+): tp_btf/sock_send_length and sock_recv_length fire inside sock_sendmsg/sock_recvmsg,
 *    so only for socket I/O, with the struct sock. They do not carry the user buffer: it comes from the
 *    syscall's arguments in the task's saved user registers (bpf_task_pt_regs), which for a send still
 *    point at the data and for a receive at the data just copied.
 *  - syscalls (older kernels): syscalls:sys_enter_* keeps the arguments of reads and writes on socket
 *    fds, syscalls:sys_exit_* sends them. These fire for every read and write of the host, so the enter
 *    side filters on the snooped process first and on "is this fd a socket" second.
 * Filters, cheapest first. Measured here with bpf-cost, a hash or LRU map lookup costs 140-220 ns per
 * event and an inlined array lookup or a BTF load a few ns, so the hot filters avoid hash lookups:
 * the snooped process is a bit in an array indexed by tgid, the socket family and protocol are two
 * loads, and sockets the agent said IGNORE for (after their first few segments) sit in a direct-mapped
 * array of socket addresses; only a socket missing there costs the LRU lookup of its verdict. The
 * network namespace is checked for sockets seen the first time.
 * sendfile, splice and io_uring move data the program cannot read: such events carry no payload.
 *
 * TLS (OpenSSL's libssl.so.3): uprobes on SSL_read/SSL_write and their _ex forms send the plaintext as
 * a stream of its own (key sock | L7_SSL_STREAM), and the socket hooks skip the ciphertext: each request
 * is seen once. How the SSL* finds its socket is explained at ssl_calls. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "core_fixes.bpf.h"
#include "l7.h"

#define AF_INET 2
#define AF_INET6 10
#define IPPROTO_TCP 6
#define MSG_PEEK 0x2
#define MSG_TRUNC 0x20
#define TCP_CLOSE 7
#define S_IFMT 00170000
#define S_IFSOCK 0140000

/* x86_64 syscall numbers (arch/x86/entry/syscalls/syscall_64.tbl). Other architectures and 32-bit
 * compat syscalls get events without payload. */
#define NR_READ 0
#define NR_WRITE 1
#define NR_READV 19
#define NR_WRITEV 20
#define NR_SENDTO 44
#define NR_RECVFROM 45
#define NR_SENDMSG 46
#define NR_RECVMSG 47
#define NR_RECVMMSG 299
#define NR_SENDMMSG 307

/* Network namespace inode the agent is scoped to; 0 = the whole host. */
const volatile __u32 targ_netns = 0;
/* 1: only processes in map snooped (and their children); 0: every process. */
const volatile __u32 targ_snoop = 0;
/* Payload bytes copied per I/O, at most L7_DATA_MAX; 0 = lengths only. */
const volatile __u32 targ_capture_bytes = 1024;

/* Events to the agent; resized from params. 8 MiB holds ~50 ms of a busy Redis at 1 KiB per event. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 * 1024 * 1024);
} events SEC(".maps");

/* Sockets seen and the agent's verdict; LRU so that sockets whose close was missed age out. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct l7_conn);
} conns SEC(".maps");

/* Processes to watch when targ_snoop is set, one bit per tgid (word tgid / 64, bit tgid % 64) up to
 * PID_MAX_LIMIT (4M): an array lookup the verifier inlines. Set by the agent, inherited on fork. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, L7_SNOOP_WORDS);
	__type(key, __u32);
	__type(value, __u64);
} snoop_bits SEC(".maps");

/* The verdict of recently seen sockets, direct-mapped by the socket's 4-tuple hash: one inlined lookup
 * and a compare instead of an LRU lookup per event (l7.h, L7_SLOT_TRACED). The kernel fills a slot from
 * map conns; the agent writes IGNORE into the slot an event named, and into conns. A slot holds one
 * socket: a collision costs the LRU lookup. Cleared when the socket closes, so that a new socket at the
 * same address inherits nothing. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, L7_VERDICT_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} verdicts SEC(".maps");

/* Event and drop counters (enum l7_counter), per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, L7_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/* An event is assembled here: too big for the 512-byte stack. The data area is twice L7_DATA_MAX so
 * that an offset below L7_DATA_MAX plus a length up to L7_DATA_MAX stays inside, which the verifier
 * can check without knowing either. */
struct scratch {
	struct l7_event e;
	__u8 data[2 * L7_DATA_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

/* The I/O syscall in progress: its number and the arguments that locate the payload. */
struct io_args {
	__u64 nr;
	__u64 fd;
	__u64 arg1; /* buffer, iovec array or msghdr */
	__u64 arg2; /* count, iovcnt or flags */
	__u64 sk;   /* syscalls path: the socket behind fd, found at entry */
};

/* syscalls path: thread id -> arguments of its socket read or write, from entry to exit. An entry of
 * a thread killed inside the syscall stays: LRU so that such leftovers age out. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct io_args);
} inflight SEC(".maps");

/* ---- TLS through OpenSSL: state ----
 * The plaintext is in the SSL_read/SSL_write buffer; the connection it belongs to is not in the SSL*
 * without reading OpenSSL's private structs (which change between versions, and a BIO need not be a
 * socket). Instead, the socket hooks note the socket a thread does I/O on while it is inside an SSL
 * call: that is the SSL's transport, whatever way the application set it up (SSL_set_fd, a socket BIO
 * of its own, an fd that changed), and no offsets into OpenSSL are needed. SSL_set_fd alone would miss
 * BIOs set up by hand and tell only the fd, which would still need a walk of the fd table. A read served
 * from OpenSSL's buffer does no I/O: map ssl_socks remembers the socket of each SSL* from earlier calls.
 * The same notes mark the socket L7_SSL in conns, so that its ciphertext is skipped from then on. */

/* An SSL_read/SSL_write (or _ex) call in progress, from its uprobe to its uretprobe. */
struct ssl_call {
	__u64 ssl;  /* the SSL* */
	__u64 buf;  /* the plaintext buffer */
	__u64 done; /* _ex forms: the size_t * the bytes read or written go to */
	__u64 sk;   /* the socket the call did I/O on, 0 if none (yet) */
};

/* Thread id -> its SSL call in progress (or its last one: entries are reused). LRU: entries of threads
 * that exited age out. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct ssl_call);
} ssl_calls SEC(".maps");

/* One bit per thread id (as snoop_bits per tgid): set while the thread is inside an SSL call. The
 * socket hooks test it on every I/O of a snooped process, so it must be an inlined array lookup and not
 * a hash lookup of ssl_calls (140-220 ns here). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, L7_SNOOP_WORDS);
	__type(key, __u32);
	__type(value, __u64);
} ssl_threads SEC(".maps");

/* SSL* -> its socket, learned from calls that did I/O, for reads served from OpenSSL's buffer. LRU:
 * SSL_free is not traced; a stale entry is caught by the stream's missing conns entry (see ssl_exit). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, __u64);
} ssl_socks SEC(".maps");

static __always_inline void count(__u32 which)
{
	__u64 *n = bpf_map_lookup_elem(&counters, &which);
	if (n)
		(*n)++;
}

static __always_inline __u64 *snoop_word(__u32 tgid)
{
	__u32 word = tgid / 64;

	return bpf_map_lookup_elem(&snoop_bits, &word);
}

static __always_inline bool snooped_tgid(__u32 tgid)
{
	__u64 *w;

	if (!targ_snoop)
		return true;
	w = snoop_word(tgid);
	return w && (*w & (1ULL << (tgid % 64)));
}

static __always_inline bool in_ssl_call(__u32 tid)
{
	__u32 word = tid / 64;
	__u64 *w = bpf_map_lookup_elem(&ssl_threads, &word);

	return w && (*w & (1ULL << (tid % 64)));
}

static __always_inline void mark_ssl_call(__u32 tid, bool inside)
{
	__u32 word = tid / 64;
	__u64 *w = bpf_map_lookup_elem(&ssl_threads, &word);

	if (!w)
		return;
	if (inside)
		__sync_fetch_and_or(w, 1ULL << (tid % 64));
	else
		__sync_fetch_and_and(w, ~(1ULL << (tid % 64)));
}

/* The socket fields the filters need. The sockets path reads them with plain loads of its BTF
 * pointer (a few ns each); the syscalls path has only an untyped address and uses BPF_CORE_READ, a
 * helper call each (30-40 ns here). */
struct sk_fields {
	__u16 family;
	__u16 protocol;
	__u32 hash; /* skc_hash: the kernel's hash of the 4-tuple, set for established sockets */
};

/* A socket address with the traced bit. The verifier forbids bit operations on a pointer; reading
 * it back from the stack through the helper turns it into a plain number (only on a cache miss). */
static __always_inline __u64 slot_value(__u64 key, bool traced)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), &key);
	return traced ? v | L7_SLOT_TRACED : v;
}

static __always_inline __u32 slot_of(__u32 hash)
{
	/* The verifier allows no arithmetic on the socket pointer; the kernel's 4-tuple hash spreads
	 * as well. Fibonacci hashing picks the top bits. */
	return (hash * 2654435761U) >> (32 - L7_VERDICT_BITS);
}

static __always_inline bool is_tcp(const struct sk_fields *f)
{
	return (f->family == AF_INET || f->family == AF_INET6) && f->protocol == IPPROTO_TCP;
}

/* I/O of a thread inside an SSL call: ciphertext. Notes the socket for the call's uretprobe and marks
 * the socket L7_SSL (once: then its slot says "not traced" and every later I/O stops at the slot). */
static __always_inline void ssl_ciphertext(struct sock *sk, const struct sk_fields *f, __u32 tid, __u32 tgid)
{
	__u64 key = (__u64)sk, *slot;
	__u32 index = slot_of(f->hash);
	struct ssl_call *call = bpf_map_lookup_elem(&ssl_calls, &tid);
	struct l7_conn mark = {L7_SSL, tgid};

	if (call)
		call->sk = key;
	slot = bpf_map_lookup_elem(&verdicts, &index);
	if (slot && *slot == key)
		return;
	bpf_map_update_elem(&conns, &key, &mark, BPF_ANY);
	if (slot)
		*slot = slot_value(key, false);
}

/* Whether the socket is watched (WATCHED, or NEW for a socket seen the first time, which this
 * registers): TCP over IPv4/6, in scope, not ignored by the agent. 0 when not watched. */
#define WATCHED 1
#define NEW 2
static __always_inline int watched(struct sock *sk, const struct sk_fields *f, __u32 tgid)
{
	__u64 key = (__u64)sk, *slot;
	__u32 index = slot_of(f->hash);
	struct l7_conn *c, fresh = {L7_TRACE, tgid};

	if (f->family != AF_INET && f->family != AF_INET6)
		return 0;
	if (f->protocol != IPPROTO_TCP)
		return 0;
	slot = bpf_map_lookup_elem(&verdicts, &index);
	if (slot) {
		__u64 v = *slot;

		if ((v & ~(__u64)L7_SLOT_TRACED) == key)
			return v & L7_SLOT_TRACED ? WATCHED : 0;
	}
	c = bpf_map_lookup_elem(&conns, &key);
	if (c) {
		if (slot)
			*slot = slot_value(key, c->verdict == L7_TRACE);
		return c->verdict == L7_TRACE ? WATCHED : 0;
	}
	if (targ_netns && sock_netns(sk) != targ_netns)
		return 0;
	if (bpf_map_update_elem(&conns, &key, &fresh, BPF_NOEXIST))
		count(L7_CNT_CONNS_FULL);
	if (slot)
		*slot = slot_value(key, true);
	return NEW;
}

/* Copies up to want bytes from an iovec array in user memory; returns the bytes copied. */
static __always_inline __u32 copy_iov(struct scratch *s, const struct iovec *iov, __u64 iovcnt, __u32 want)
{
	__u32 off = 0;
	struct iovec v;
	__u64 n;

#pragma unroll
	for (int i = 0; i < L7_MAX_IOV; i++) {
		if (i >= iovcnt || off >= want)
			break;
		if (bpf_probe_read_user(&v, sizeof(v), &iov[i]))
			break;
		n = v.iov_len;
		if (n > want - off)
			n = want - off;
		if (n == 0)
			continue;
		/* Masks the verifier can follow: off < want <= L7_DATA_MAX and n <= L7_DATA_MAX; the
		 * barriers stop clang from dropping them as redundant. */
		barrier_var(off);
		off &= L7_DATA_MAX - 1;
		barrier_var(n);
		n &= 2 * L7_DATA_MAX - 1;
		if (n > L7_DATA_MAX)
			n = L7_DATA_MAX;
		if (bpf_probe_read_user(s->data + off, n, v.iov_base)) {
			count(L7_CNT_READ_FAIL);
			break;
		}
		off += n;
	}
	return off;
}

/* Copies the payload the syscall moved, as far as its arguments let us find it. */
static __always_inline __u32 copy_payload(struct scratch *s, const struct io_args *io, __u32 want)
{
	struct user_msghdr msg;

	switch (io->nr) {
	case NR_READ:
	case NR_WRITE:
	case NR_SENDTO:
	case NR_RECVFROM:
		/* clang knows want <= L7_DATA_MAX from the caller and drops a plain clamp; the barrier
		 * makes it keep the mask that shows the verifier the bound. */
		barrier_var(want);
		want &= 2 * L7_DATA_MAX - 1;
		if (bpf_probe_read_user(s->data, want, (void *)io->arg1)) {
			count(L7_CNT_READ_FAIL);
			return 0;
		}
		return want;
	case NR_READV:
	case NR_WRITEV:
		return copy_iov(s, (const struct iovec *)io->arg1, io->arg2, want);
	case NR_SENDMSG:
	case NR_RECVMSG:
	case NR_SENDMMSG:
	case NR_RECVMMSG:
		/* For the mmsg forms only a vector of one message is unambiguous (mmsghdr starts with msghdr). */
		if ((io->nr == NR_SENDMMSG || io->nr == NR_RECVMMSG) && io->arg2 != 1)
			return 0;
		if (bpf_probe_read_user(&msg, sizeof(msg), (void *)io->arg1))
			return 0;
		return copy_iov(s, msg.msg_iov, msg.msg_iovlen, want);
	default:
		return 0;
	}
}

/* Waking the reader costs an interrupt (an IPI, several us in a VM), and the default wakes it for
 * every event written while it is idle, i.e. nearly every event at moderate rates; asking the ring how
 * full it is costs ~130 ns (cache lines the reader writes). So an event wakes the reader only every
 * L7_WAKEUP_EVERY events per CPU (a per-CPU counter: a few ns), and the reader also drains the ring
 * every 100 ms: a quiet trickle is at most that late, a burst never waits for the timer. Measured here,
 * a wake-up every 256 events still added 100-150 ns per event on average; every 4096 adds ~10. */
#define L7_WAKEUP_EVERY 4096

static __always_inline __u64 wakeup_flags(void)
{
	__u32 key = L7_CNT_EVENTS;
	__u64 *n = bpf_map_lookup_elem(&counters, &key);

	return n && (*n % L7_WAKEUP_EVERY) == 0 ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

/* The connection's addresses with plain loads of a BTF socket pointer (sockets path). */
static __always_inline void tuple_direct(struct l7_event *e, struct sock *sk)
{
	__u32 *s = (__u32 *)e->saddr, *d = (__u32 *)e->daddr;

	e->family = sk->__sk_common.skc_family;
	e->sport = sk->__sk_common.skc_num;
	e->dport = bpf_ntohs(sk->__sk_common.skc_dport);
	if (e->family == AF_INET) {
		s[0] = sk->__sk_common.skc_rcv_saddr;
		d[0] = sk->__sk_common.skc_daddr;
		s[1] = s[2] = s[3] = d[1] = d[2] = d[3] = 0;
		return;
	}
	for (int i = 0; i < 4; i++) {
		s[i] = sk->__sk_common.skc_v6_rcv_saddr.in6_u.u6_addr32[i];
		d[i] = sk->__sk_common.skc_v6_daddr.in6_u.u6_addr32[i];
	}
}

/* The head of struct sock_common, in this order in every kernel since 2.6.38. */
struct sk_head {
	__u32 daddr;
	__u32 rcv_saddr;
	__u32 hash;
	__u16 dport;
	__u16 num;
	__u16 family;
};

/* The same for an untyped socket address in two helper calls instead of one per field (TLS path):
 * where the head and the IPv6 addresses start comes from CO-RE, and a kernel whose layout differs
 * from the expected one takes tuple_core. */
static __always_inline bool tuple_bulk(struct l7_event *e, struct sock *sk)
{
	__u32 head = bpf_core_field_offset(struct sock_common, skc_daddr);
	__u32 v6 = bpf_core_field_offset(struct sock_common, skc_v6_daddr);
	struct sk_head h;

	if (bpf_core_field_offset(struct sock_common, skc_family) != head + 16 ||
	    bpf_core_field_offset(struct sock_common, skc_num) != head + 14 ||
	    bpf_core_field_offset(struct sock_common, skc_v6_rcv_saddr) != v6 + 16)
		return false;
	if (bpf_probe_read_kernel(&h, sizeof(h), (void *)sk + head))
		return false;
	e->family = h.family;
	e->sport = h.num;
	e->dport = bpf_ntohs(h.dport);
	if (e->family == AF_INET) {
		__builtin_memset(e->saddr, 0, sizeof(e->saddr));
		__builtin_memset(e->daddr, 0, sizeof(e->daddr));
		*(__u32 *)e->saddr = h.rcv_saddr;
		*(__u32 *)e->daddr = h.daddr;
		return true;
	}
	/* daddr then saddr, adjacent: the event has saddr first, so two copies from one read. */
	{
		__u8 a[32];

		if (bpf_probe_read_kernel(a, sizeof(a), (void *)sk + v6))
			return false;
		__builtin_memcpy(e->daddr, a, 16);
		__builtin_memcpy(e->saddr, a + 16, 16);
	}
	return true;
}

/* The same through BPF_CORE_READ, for an untyped socket address (syscalls path). */
static __always_inline void tuple_core(struct l7_event *e, struct sock *sk)
{
	e->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	e->sport = BPF_CORE_READ(sk, __sk_common.skc_num);
	e->dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (e->family == AF_INET) {
		__builtin_memset(e->saddr, 0, sizeof(e->saddr));
		__builtin_memset(e->daddr, 0, sizeof(e->daddr));
		BPF_CORE_READ_INTO((__u32 *)e->saddr, sk, __sk_common.skc_rcv_saddr);
		BPF_CORE_READ_INTO((__u32 *)e->daddr, sk, __sk_common.skc_daddr);
	} else {
		BPF_CORE_READ_INTO(e->saddr, sk, __sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8);
		BPF_CORE_READ_INTO(e->daddr, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr8);
	}
}

/* Sends one I/O of socket sk under key: the socket's address, or with L7_SSL_STREAM (ssl) its plaintext. */
static __always_inline void emit(struct sock *sk, __u64 key, __u32 tgid, long ret, __u8 kind,
				 const struct io_args *io, bool readable, bool direct, int seen, bool ssl)
{
	__u32 zero = 0, want, captured = 0;
	struct scratch *s = bpf_map_lookup_elem(&scratch, &zero);
	struct l7_event *e;

	if (!s)
		return;
	e = &s->e;
	e->ts_ns = bpf_ktime_get_ns();
	e->sock = key;
	e->tgid = tgid;
	e->len = ret;
	e->kind = kind;
	e->flags = 0;
	e->pad = 0;
	e->ptgid = 0;
	e->pad2 = 0;
	/* A plaintext stream has no verdict slot: the agent's IGNORE for it goes to conns only. */
	e->slot = ssl ? ~0U : slot_of(direct ? sk->__sk_common.skc_hash : BPF_CORE_READ(sk, __sk_common.skc_hash));
	if (seen == NEW) {
		/* Short-lived processes (a PostgreSQL backend per connection) may be gone from /proc by the
		 * time the agent reads this: their name and parent travel with the first event. */
		struct task_struct *t = (struct task_struct *)bpf_get_current_task();

		e->flags = L7_F_NEW;
		e->ptgid = BPF_CORE_READ(t, real_parent, tgid);
		bpf_get_current_comm(e->comm, sizeof(e->comm));
	}
	if (ssl)
		e->flags |= L7_F_SSL;
	if (direct)
		tuple_direct(e, sk);
	else if (!ssl || !tuple_bulk(e, sk))
		tuple_core(e, sk);
	want = ret < targ_capture_bytes ? ret : targ_capture_bytes;
	if (want > L7_DATA_MAX)
		want = L7_DATA_MAX;
	if (readable && want)
		captured = copy_payload(s, io, want);
	if (!captured && want) {
		e->flags |= L7_F_NO_DATA;
		count(L7_CNT_NO_DATA);
	}
	/* Bound the size for the verifier; captured <= L7_DATA_MAX already. */
	barrier_var(captured);
	captured &= 2 * L7_DATA_MAX - 1;
	e->captured = captured;
	if (bpf_ringbuf_output(&events, s, sizeof(*e) + captured, wakeup_flags()))
		count(L7_CNT_LOST);
	else
		count(L7_CNT_EVENTS);
}

/* ---- sockets path (6.3+) ---- */

/* The current syscall's number and arguments, from the user registers saved at kernel entry. */
static __always_inline void syscall_args(struct io_args *io)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(t);

	/* Plain loads of the BTF pointer bpf_task_pt_regs returns: a helper call each would cost more. */
	io->nr = regs->orig_ax;
	io->fd = regs->di;
	io->arg1 = regs->si;
	io->arg2 = regs->dx;
}

static __always_inline int on_sock_io(struct sock *sk, int ret, int flags, __u8 kind)
{
	/* The current task's tgid by a plain load: cheaper here than the bpf_get_current_pid_tgid()
	 * helper call (current kernels inline bpf_get_current_task_btf into a per-CPU load). */
	struct task_struct *t = bpf_get_current_task_btf();
	__u32 tgid = t->tgid, tid = t->pid;
	struct io_args io = {};
	struct sk_fields f;
	int seen;

	if (ret <= 0 || !snooped_tgid(tgid))
		return 0;
	f.family = sk->__sk_common.skc_family;
	f.protocol = sk->sk_protocol;
	f.hash = sk->__sk_common.skc_hash;
	if (in_ssl_call(tid) && is_tcp(&f)) {
		ssl_ciphertext(sk, &f, tid, tgid);
		return 0;
	}
	seen = watched(sk, &f, tgid);
	if (!seen)
		return 0;
	syscall_args(&io);
	/* Peeked bytes are read again later; MSG_TRUNC discards them without copying. */
	if (kind == L7_RECV && (flags & MSG_PEEK))
		return 0;
	emit(sk, (__u64)sk, tgid, ret, kind, &io, !(flags & MSG_TRUNC), true, seen, false);
	return 0;
}

SEC("tp_btf/sock_send_length")
int BPF_PROG(l7_sock_send, struct sock *sk, int ret, int flags)
{
	return on_sock_io(sk, ret, flags, L7_SEND);
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(l7_sock_recv, struct sock *sk, int ret, int flags)
{
	return on_sock_io(sk, ret, flags, L7_RECV);
}

/* ---- syscalls path (before 6.3) ---- */

/* The socket behind an fd of the current task, or NULL when the fd is not a socket. */
static __always_inline struct sock *fd_sock(__u64 fd)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(t, files, fdt);
	struct file **fds, *f = NULL;
	struct socket *so;
	__u32 mode;

	if (!fdt || fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	if (!f)
		return NULL;
	mode = BPF_CORE_READ(f, f_inode, i_mode);
	if ((mode & S_IFMT) != S_IFSOCK)
		return NULL;
	so = BPF_CORE_READ(f, private_data);
	return so ? BPF_CORE_READ(so, sk) : NULL;
}

static __always_inline int on_enter(struct trace_event_raw_sys_enter *ctx, __u64 nr)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = id, tgid = id >> 32;
	struct io_args io = {};
	struct sock *sk;

	if (!snooped_tgid(tgid))
		return 0;
	sk = fd_sock(ctx->args[0]);
	if (!sk)
		return 0;
	if (in_ssl_call(tid)) {
		struct sk_fields f;

		f.family = BPF_CORE_READ(sk, __sk_common.skc_family);
		f.protocol = BPF_CORE_READ(sk, sk_protocol);
		f.hash = BPF_CORE_READ(sk, __sk_common.skc_hash);
		if (is_tcp(&f)) {
			ssl_ciphertext(sk, &f, tid, tgid);
			return 0;
		}
	}
	io.nr = nr;
	io.fd = ctx->args[0];
	io.arg1 = ctx->args[1];
	io.arg2 = ctx->args[2];
	io.sk = (__u64)sk;
	/* Peeking or discarding receives are not data the process consumed. */
	if (nr == NR_RECVFROM && (ctx->args[3] & (MSG_PEEK | MSG_TRUNC)))
		return 0;
	if (nr == NR_RECVMSG && (ctx->args[2] & (MSG_PEEK | MSG_TRUNC)))
		return 0;
	bpf_map_update_elem(&inflight, &tid, &io, BPF_ANY);
	return 0;
}

static __always_inline int on_exit(struct trace_event_raw_sys_exit *ctx, __u8 kind)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = id, tgid = id >> 32;
	struct io_args *io;
	struct sk_fields f;
	struct sock *sk;
	long ret = ctx->ret;
	int seen;

	if (!snooped_tgid(tgid))
		return 0;
	io = bpf_map_lookup_elem(&inflight, &tid);
	if (!io)
		return 0;
	sk = (struct sock *)io->sk;
	f.family = BPF_CORE_READ(sk, __sk_common.skc_family);
	f.protocol = BPF_CORE_READ(sk, sk_protocol);
	f.hash = BPF_CORE_READ(sk, __sk_common.skc_hash);
	if (ret > 0 && (seen = watched(sk, &f, tgid)))
		emit(sk, (__u64)sk, tgid, ret, kind, io, true, false, seen, false);
	bpf_map_delete_elem(&inflight, &tid);
	return 0;
}

#define SYSCALL_PAIR(name, nr, kind)                                          \
	SEC("tracepoint/syscalls/sys_enter_" #name)                           \
	int l7_enter_##name(struct trace_event_raw_sys_enter *ctx)        \
	{                                                                     \
		return on_enter(ctx, nr);                                     \
	}                                                                     \
	SEC("tracepoint/syscalls/sys_exit_" #name)                            \
	int l7_exit_##name(struct trace_event_raw_sys_exit *ctx)          \
	{                                                                     \
		return on_exit(ctx, kind);                                    \
	}

SYSCALL_PAIR(read, NR_READ, L7_RECV)
SYSCALL_PAIR(write, NR_WRITE, L7_SEND)
SYSCALL_PAIR(readv, NR_READV, L7_RECV)
SYSCALL_PAIR(writev, NR_WRITEV, L7_SEND)
SYSCALL_PAIR(sendto, NR_SENDTO, L7_SEND)
SYSCALL_PAIR(recvfrom, NR_RECVFROM, L7_RECV)
SYSCALL_PAIR(sendmsg, NR_SENDMSG, L7_SEND)
SYSCALL_PAIR(recvmsg, NR_RECVMSG, L7_RECV)

/* ---- TLS through OpenSSL (uprobes on libssl.so.3, attached by the agent) ---- */

static __always_inline int ssl_enter(void *ssl, void *buf, void *done)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = id, tgid = id >> 32;
	struct ssl_call *call, fresh = {(__u64)ssl, (__u64)buf, (__u64)done, 0};

	if (!snooped_tgid(tgid))
		return 0;
	/* A thread's entry is reused in place: an LRU update allocates an element every time and costs
	 * about twice a lookup here. A leftover from an earlier call is harmless, the bit in ssl_threads
	 * says whether it is live. */
	call = bpf_map_lookup_elem(&ssl_calls, &tid);
	if (call) {
		call->ssl = (__u64)ssl;
		call->buf = (__u64)buf;
		call->done = (__u64)done;
		call->sk = 0;
	} else if (bpf_map_update_elem(&ssl_calls, &tid, &fresh, BPF_ANY)) {
		return 0;
	}
	mark_ssl_call(tid, true);
	return 0;
}

/* Sends the plaintext a finished SSL call moved. ex: SSL_read_ex/SSL_write_ex, which return 1 and
 * store the byte count through their fourth argument. */
static __always_inline int ssl_exit(struct pt_regs *ctx, __u8 kind, bool ex)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = id, tgid = id >> 32;
	struct l7_conn *c, fresh = {L7_TRACE, tgid};
	/* All four return an int: -1 in rax reads as 4294967295 unless cut to 32 bits. */
	long ret = (int)PT_REGS_RC(ctx);
	struct io_args io = {};
	struct ssl_call *call;
	__u64 sk, key, *known, n = 0;
	int seen = WATCHED;

	if (!snooped_tgid(tgid) || !in_ssl_call(tid))
		return 0;
	mark_ssl_call(tid, false);
	call = bpf_map_lookup_elem(&ssl_calls, &tid);
	if (!call)
		return 0;
	if (ex) {
		if (ret != 1 || bpf_probe_read_user(&n, sizeof(n), (void *)call->done))
			return 0;
		ret = n;
	}
	if (ret <= 0)
		return 0;
	sk = call->sk;
	if (!sk) {
		known = bpf_map_lookup_elem(&ssl_socks, &call->ssl);
		if (!known) {
			count(L7_CNT_SSL_NO_SOCK);
			return 0;
		}
		sk = *known;
	}
	key = sk | L7_SSL_STREAM;
	c = bpf_map_lookup_elem(&conns, &key);
	if (c) {
		if (c->verdict != L7_TRACE)
			return 0;
	} else {
		/* A socket known only from ssl_socks whose stream is gone was closed: the SSL* was freed
		 * and reused, its socket is not known yet. */
		if (!call->sk) {
			count(L7_CNT_SSL_NO_SOCK);
			return 0;
		}
		if (targ_netns && sock_netns((struct sock *)sk) != targ_netns)
			return 0;
		if (bpf_map_update_elem(&conns, &key, &fresh, BPF_NOEXIST))
			count(L7_CNT_CONNS_FULL);
		/* A new stream is when an SSL* gets its socket: ssl_socks is written once per connection,
		 * not per call (an LRU update costs about twice a lookup). */
		bpf_map_update_elem(&ssl_socks, &call->ssl, &sk, BPF_ANY);
		seen = NEW;
	}
	/* The plaintext is one buffer, copied as a read(2)'s. */
	io.nr = NR_READ;
	io.arg1 = call->buf;
	emit((struct sock *)sk, key, tgid, ret, kind, &io, true, false, seen, true);
	return 0;
}

/* SSL_read, SSL_write (ssl, buf, num) and SSL_read_ex, SSL_write_ex (ssl, buf, num, size_t *done). */
SEC("uprobe")
int BPF_KPROBE(l7_ssl_enter, void *ssl, void *buf, __u64 num, void *done)
{
	return ssl_enter(ssl, buf, done);
}

SEC("uretprobe")
int BPF_KRETPROBE(l7_ssl_read_ret)
{
	return ssl_exit(ctx, L7_RECV, false);
}

SEC("uretprobe")
int BPF_KRETPROBE(l7_ssl_write_ret)
{
	return ssl_exit(ctx, L7_SEND, false);
}

SEC("uretprobe")
int BPF_KRETPROBE(l7_ssl_read_ex_ret)
{
	return ssl_exit(ctx, L7_RECV, true);
}

SEC("uretprobe")
int BPF_KRETPROBE(l7_ssl_write_ex_ret)
{
	return ssl_exit(ctx, L7_SEND, true);
}

/* ---- both paths ---- */

static __always_inline void send_close(__u64 key, __u32 tgid)
{
	struct l7_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e) {
		count(L7_CNT_LOST);
		return;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->ts_ns = bpf_ktime_get_ns();
	e->sock = key;
	e->tgid = tgid;
	e->kind = L7_CLOSE;
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
}

/* A socket that reaches TCP_CLOSE is forgotten here and by the agent. */
SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(l7_set_state, struct sock *sk, int oldstate, int newstate)
{
	__u64 key = (__u64)sk;
	struct l7_conn *c;
	__u32 tgid, index, verdict;
	__u64 *slot;

	if (newstate != TCP_CLOSE)
		return 0;
	index = slot_of(sk->__sk_common.skc_hash);
	slot = bpf_map_lookup_elem(&verdicts, &index);
	if (slot && (*slot & ~(__u64)L7_SLOT_TRACED) == key)
		*slot = 0;
	c = bpf_map_lookup_elem(&conns, &key);
	if (!c)
		return 0;
	verdict = c->verdict;
	tgid = c->tgid;
	bpf_map_delete_elem(&conns, &key);
	if (verdict != L7_TRACE) {
		/* A TLS socket's plaintext stream ends with it. Looked up for ignored sockets too: the
		 * agent's IGNORE for the handshake's ciphertext may have overwritten L7_SSL. The verifier
		 * forbids bit operations on the socket pointer: slot_value turns it into a number. */
		__u64 stream = slot_value(key, true);

		c = bpf_map_lookup_elem(&conns, &stream);
		if (c) {
			bool traced = c->verdict == L7_TRACE;
			__u32 stgid = c->tgid;

			bpf_map_delete_elem(&conns, &stream);
			if (traced)
				send_close(stream, stgid);
		}
	}
	/* The agent may hold the handshake's ciphertext, sent before the socket was known to be TLS. */
	if (verdict != L7_IGNORE)
		send_close(key, tgid);
	return 0;
}

/* Children of snooped processes are snooped: PostgreSQL backends, nginx and pre-fork workers. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(l7_proc_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid, ctgid = child->tgid;
	__u64 *w;

	if (!targ_snoop || ptgid == ctgid || !snooped_tgid(ptgid))
		return 0;
	w = snoop_word(ctgid);
	if (w)
		__sync_fetch_and_or(w, 1ULL << (ctgid % 64));
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(l7_proc_exit, struct task_struct *p)
{
	__u32 tgid = p->tgid, tid = p->pid;
	__u64 *w;

	/* A thread killed inside an SSL call: its id, when reused, must not look like one. */
	if (in_ssl_call(tid)) {
		mark_ssl_call(tid, false);
		bpf_map_delete_elem(&ssl_calls, &tid);
	}
	if (!targ_snoop || tid != tgid)
		return 0;
	w = snoop_word(tgid);
	if (w)
		__sync_fetch_and_and(w, ~(1ULL << (tgid % 64)));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
