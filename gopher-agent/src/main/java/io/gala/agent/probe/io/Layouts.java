package io.gala.agent.probe.io;

import jnr.ffi.Runtime;
import jnr.ffi.Struct;

/**
 * Java mirrors of the structs in {@code ebpf-probes/io.h} (and {@code hist.h}), one {@link Struct}
 * per C struct with the C field names and order. Used for their offsets and sizes; {@code
 * LayoutsTest} checks both against the BTF of the compiled {@code io.bpf.o}.
 */
final class Layouts {
  /** Mirrors IO_READ, IO_WRITE, IO_DISCARD, IO_FLUSH and IO_GROUPS. */
  static final int IO_READ = 0;

  static final int IO_WRITE = 1;
  static final int IO_DISCARD = 2;
  static final int IO_FLUSH = 3;
  static final int IO_GROUPS = 4;

  static final Runtime RUNTIME = Runtime.getSystemRuntime();
  static final Hist HIST = new Hist();
  static final DevKey DEV_KEY = new DevKey();
  static final BlockStats BLOCK_STATS = new BlockStats();
  static final ProcKey PROC_KEY = new ProcKey();
  static final ProcIoStats PROC_IO_STATS = new ProcIoStats();

  private Layouts() {}

  /** struct hist of hist.h. */
  static final class Hist extends Struct {
    final Unsigned64[] slots = array(new Unsigned64[256]);
    final Unsigned64 sum = new Unsigned64();
    final Unsigned64 count = new Unsigned64();

    Hist() {
      super(RUNTIME);
    }

    /** Offset of the whole struct within its enclosing struct. */
    long offset() {
      return slots[0].offset();
    }
  }

  /** struct dev_key. */
  static final class DevKey extends Struct {
    final Unsigned32 major = new Unsigned32();
    final Unsigned32 first_minor = new Unsigned32();

    DevKey() {
      super(RUNTIME);
    }
  }

  /** struct block_stats. */
  static final class BlockStats extends Struct {
    final Unsigned64[] ops = array(new Unsigned64[IO_GROUPS]);
    final Unsigned64[] bytes = array(new Unsigned64[IO_GROUPS]);
    final Unsigned64 err_count = new Unsigned64();
    final Unsigned64 last_errno = new Unsigned64();
    final Hist latency = inner(new Hist());
    final Hist queue = inner(new Hist());
    final Hist req = inner(new Hist());

    BlockStats() {
      super(RUNTIME);
    }
  }

  /** struct proc_key. */
  static final class ProcKey extends Struct {
    final Unsigned32 tgid = new Unsigned32();
    final Unsigned32 major = new Unsigned32();
    final Unsigned32 first_minor = new Unsigned32();
    final Unsigned32 pad = new Unsigned32();

    ProcKey() {
      super(RUNTIME);
    }
  }

  /** struct proc_io_stats; arrays are indexed by IO_READ and IO_WRITE. */
  static final class ProcIoStats extends Struct {
    final Unsigned64[] bytes = array(new Unsigned64[2]);
    final Unsigned64[] ops = array(new Unsigned64[2]);
    final Unsigned64[] small_ops = array(new Unsigned64[2]);
    final Unsigned64[] large_ops = array(new Unsigned64[2]);
    final Unsigned64 err_count = new Unsigned64();
    final Unsigned64 pad = new Unsigned64();
    final Hist latency = inner(new Hist());

    ProcIoStats() {
      super(RUNTIME);
    }
  }
}
