package io.gala.agent.probe.socket;

import jnr.ffi.Runtime;
import jnr.ffi.Struct;

/**
 * Java mirrors of the structs in {@code ebpf-probes/socket.h}, one {@link Struct} per C struct with
 * the C field names and order. Used for their offsets and sizes; {@code LayoutsTest} checks both
 * against the BTF of the compiled {@code socket.bpf.o}.
 */
final class Layouts {
  static final int ADDR_LEN = 16;
  static final int AF_INET = 2;
  static final int AF_INET6 = 10;

  static final Runtime RUNTIME = Runtime.getSystemRuntime();
  static final ListenKey LISTEN_KEY = new ListenKey();
  static final ListenStats LISTEN_STATS = new ListenStats();
  static final ListenDropKey LISTEN_DROP_KEY = new ListenDropKey();
  static final ListenerRecord LISTENER_RECORD = new ListenerRecord();
  static final ClientKey CLIENT_KEY = new ClientKey();
  static final ClientStats CLIENT_STATS = new ClientStats();

  private Layouts() {}

  /** struct listen_key. */
  static final class ListenKey extends Struct {
    final Unsigned32 netns = new Unsigned32();
    final Unsigned16 family = new Unsigned16();
    final Unsigned16 port = new Unsigned16();
    final Unsigned8[] addr = array(new Unsigned8[ADDR_LEN]);

    ListenKey() {
      super(RUNTIME);
    }

    /** Offset of the whole struct within its enclosing struct. */
    long offset() {
      return netns.offset();
    }
  }

  /** struct listen_stats. */
  static final class ListenStats extends Struct {
    final Unsigned64 passive_open = new Unsigned64();
    final Unsigned64 passive_open_failed = new Unsigned64();
    final Unsigned64 retran_synacks = new Unsigned64();
    final Unsigned64 ack_overflow = new Unsigned64();
    final Unsigned64 drops_counted = new Unsigned64();
    final Unsigned64 closed_drops = new Unsigned64();
    final Unsigned64 listen_ns = new Unsigned64();
    final Unsigned32 owner_tgid = new Unsigned32();
    final Unsigned32 closes = new Unsigned32();

    ListenStats() {
      super(RUNTIME);
    }
  }

  /** struct listen_drop_key. */
  static final class ListenDropKey extends Struct {
    final ListenKey listener = inner(new ListenKey());
    final Unsigned32 reason = new Unsigned32();
    final Unsigned32 pad = new Unsigned32();

    ListenDropKey() {
      super(RUNTIME);
    }
  }

  /** struct listener_record, the output of the iter/tcp program dump_listeners. */
  static final class ListenerRecord extends Struct {
    final ListenKey key = inner(new ListenKey());
    final Unsigned64 ino = new Unsigned64();
    final Unsigned64 drops = new Unsigned64();
    final Unsigned32 ack_backlog = new Unsigned32();
    final Unsigned32 max_ack_backlog = new Unsigned32();
    final Unsigned32 syn_qlen = new Unsigned32();
    final Unsigned32 pad = new Unsigned32();

    ListenerRecord() {
      super(RUNTIME);
    }
  }

  /** struct client_key. */
  static final class ClientKey extends Struct {
    final Unsigned32 tgid = new Unsigned32();
    final Unsigned32 netns = new Unsigned32();
    final Unsigned16 family = new Unsigned16();
    final Unsigned16 rport = new Unsigned16();
    final Unsigned32 pad = new Unsigned32();
    final Unsigned8[] laddr = array(new Unsigned8[ADDR_LEN]);
    final Unsigned8[] raddr = array(new Unsigned8[ADDR_LEN]);

    ClientKey() {
      super(RUNTIME);
    }
  }

  /** struct client_stats. */
  static final class ClientStats extends Struct {
    final Unsigned64 attempts = new Unsigned64();
    final Unsigned64 no_syn = new Unsigned64();
    final Unsigned64 active_open = new Unsigned64();
    final Unsigned64 active_open_failed = new Unsigned64();
    final Unsigned64 retran_syn = new Unsigned64();
    final Unsigned64 pad = new Unsigned64();

    ClientStats() {
      super(RUNTIME);
    }
  }
}
