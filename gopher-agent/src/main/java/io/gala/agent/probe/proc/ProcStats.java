package io.gala.agent.probe.proc;

import jnr.ffi.Pointer;

/**
 * Java mirror of {@code struct proc_stats} in proc.h, read at these offsets; {@link #SIZE} is checked
 * against the object's BTF by a test.
 */
record ProcStats(long runqDelayNs, long runqCount, long runqMaxNs, long forkCount, long execCount,
    long oomKills, long syscallFailed, long exitNs) {
  static final int SIZE = 64;

  static ProcStats read(Pointer p) {
    return new ProcStats(p.getLong(0), p.getLong(8), p.getLong(16), p.getLong(24), p.getLong(32),
        p.getLong(40), p.getLong(48), p.getLong(56));
  }
}
