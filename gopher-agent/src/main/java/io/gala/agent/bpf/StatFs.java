package io.gala.agent.bpf;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * statvfs(3) of a mount point: block and inode counts, as df uses them. Lives here because this
 * package is the agent's one native boundary.
 */
public record StatFs(
    long fragmentSize,
    long blocks,
    long blocksFree,
    long blocksAvailable,
    long files,
    long filesFree) {
  /**
   * struct statvfs on 64-bit Linux: f_bsize, f_frsize, f_blocks, f_bfree, f_bavail, f_files,
   * f_ffree, ...
   */
  private static final int STRUCT_SIZE = 112;

  /** The file system's figures, or null when the path cannot be read (gone, permission). */
  public static StatFs of(String path) {
    Pointer buf = Memory.allocateDirect(Native.RUNTIME, STRUCT_SIZE, true);
    if (Native.LIBC.statvfs(path, buf) != 0) {
      return null;
    }
    return new StatFs(
        buf.getLong(8),
        buf.getLong(16),
        buf.getLong(24),
        buf.getLong(32),
        buf.getLong(40),
        buf.getLong(48));
  }
}
