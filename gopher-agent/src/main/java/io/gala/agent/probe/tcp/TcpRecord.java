package io.gala.agent.probe.tcp;

import java.nio.ByteBuffer;
import jnr.ffi.Runtime;
import jnr.ffi.Struct;

/**
 * One connection as the kernel reported it ({@code struct tcp_record}), decoded: the socket's own
 * counters as {@code ss -ti} shows them, plus {@link Link}, what tcp.bpf.c keeps beside them.
 */
record TcpRecord(
    long sock,
    long ino,
    int kind,
    int family,
    int state,
    int hz,
    byte[] laddr,
    byte[] raddr,
    int lport,
    int rport,
    int sockFlags,
    long bytesSent,
    long bytesRetrans,
    long bytesReceived,
    long segsIn,
    long segsOut,
    long totalRetrans,
    long srttUs,
    long rtoJiffies,
    long sndCwnd,
    long skDrops,
    long lostOut,
    long sackedOut,
    Link link) {

  /** enum tcp_record_kind of tcp.h. */
  static final int LIVE = 0;

  static final int CLOSED = 1;
  static final int RST_AFTER_CLOSE = 2;
  static final int LISTENER = 3;

  /** TCP_SOCK_FIN_RECEIVED of tcp.h. */
  static final int FIN_RECEIVED = 0x1;

  private static final TcpRecordStruct L = new TcpRecordStruct(Runtime.getSystemRuntime());

  /** sizeof(struct tcp_record). */
  static final int SIZE = Struct.size(L);

  /** Fields of struct tcp_link, the kernel-side state of a connection. */
  record Link(
      long tgid,
      int role,
      int flags,
      long netns,
      long connectNs,
      long rstSent,
      long rstRecv,
      long zeroRcvWnd,
      long zeroSndWnd,
      long srttSumUs,
      long srttCount,
      long[] srttSlots) {
    /** enum tcp_role of tcp.h. */
    static final int CLIENT = 1;

    static final int SERVER = 2;

    /** TCP_LINK_* flags of tcp.h. */
    static final int CONNECT_FAILED = 0x4;

    static final int SEEDED = 0x8;
    static final int OWNER_GUESSED = 0x10;
    static final int ROLE_INFERRED = 0x20;

    boolean connectFailed() {
      return (flags & CONNECT_FAILED) != 0;
    }
  }

  /** Reads the record that starts at {@code at} (native byte order). */
  static TcpRecord decode(ByteBuffer b, int at) {
    TcpLinkStruct l = L.link;
    long[] slots = new long[TcpLinkStruct.SRTT_SLOTS];
    for (int i = 0; i < slots.length; i++) {
      slots[i] = u32(b, at, l.srtt_slots[i]);
    }
    Link link =
        new Link(
            u32(b, at, l.tgid),
            (int) u32(b, at, l.role),
            (int) u32(b, at, l.flags),
            u32(b, at, l.netns),
            u64(b, at, l.connect_ns),
            u64(b, at, l.rst_sent),
            u64(b, at, l.rst_recv),
            u64(b, at, l.zero_rcv_wnd),
            u64(b, at, l.zero_snd_wnd),
            u64(b, at, l.srtt_sum_us),
            u64(b, at, l.srtt_count),
            slots);
    return new TcpRecord(
        u64(b, at, L.sock),
        u64(b, at, L.ino),
        (int) u32(b, at, L.kind),
        (int) u32(b, at, L.family),
        (int) u32(b, at, L.state),
        (int) u32(b, at, L.hz),
        bytes(b, at + (int) L.laddr[0].offset(), TcpRecordStruct.ADDR_LEN),
        bytes(b, at + (int) L.raddr[0].offset(), TcpRecordStruct.ADDR_LEN),
        u16(b, at, L.lport),
        u16(b, at, L.rport),
        (int) u32(b, at, L.sock_flags),
        u64(b, at, L.bytes_sent),
        u64(b, at, L.bytes_retrans),
        u64(b, at, L.bytes_received),
        u32(b, at, L.segs_in),
        u32(b, at, L.segs_out),
        u32(b, at, L.total_retrans),
        u32(b, at, L.srtt_us),
        u32(b, at, L.rto_jiffies),
        u32(b, at, L.snd_cwnd),
        u32(b, at, L.sk_drops),
        u32(b, at, L.lost_out),
        u32(b, at, L.sacked_out),
        link);
  }

  /** This host's end and the peer's, as a tuple that drops and links share. */
  Tuple tuple() {
    return new Tuple(link.netns(), Tuple.ip(family, laddr), lport, Tuple.ip(family, raddr), rport);
  }

  boolean finReceived() {
    return (sockFlags & FIN_RECEIVED) != 0;
  }

  /** A copy with one more RST sent, for a RST that tcp_close() sent after the final record. */
  TcpRecord withOneMoreRstSent() {
    Link l = link;
    Link more =
        new Link(
            l.tgid(),
            l.role(),
            l.flags(),
            l.netns(),
            l.connectNs(),
            l.rstSent() + 1,
            l.rstRecv(),
            l.zeroRcvWnd(),
            l.zeroSndWnd(),
            l.srttSumUs(),
            l.srttCount(),
            l.srttSlots());
    return new TcpRecord(
        sock,
        ino,
        kind,
        family,
        state,
        hz,
        laddr,
        raddr,
        lport,
        rport,
        sockFlags,
        bytesSent,
        bytesRetrans,
        bytesReceived,
        segsIn,
        segsOut,
        totalRetrans,
        srttUs,
        rtoJiffies,
        sndCwnd,
        skDrops,
        lostOut,
        sackedOut,
        more);
  }

  static long u64(ByteBuffer b, int at, Struct.NumberField f) {
    return b.getLong(at + (int) f.offset());
  }

  static long u32(ByteBuffer b, int at, Struct.NumberField f) {
    return b.getInt(at + (int) f.offset()) & 0xffffffffL;
  }

  static int u16(ByteBuffer b, int at, Struct.NumberField f) {
    return b.getShort(at + (int) f.offset()) & 0xffff;
  }

  static byte[] bytes(ByteBuffer b, int at, int n) {
    byte[] out = new byte[n];
    b.get(at, out);
    return out;
  }
}
