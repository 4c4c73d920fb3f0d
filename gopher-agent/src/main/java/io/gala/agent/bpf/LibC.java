package io.gala.agent.bpf;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;

/**
 * The few libc calls the binding needs: reading iterator fds, formatting libbpf's log lines,
 * entering a network namespace to create an iterator there.
 */
public interface LibC {
  long read(int fd, @Out Pointer buf, long count);

  int close(int fd);

  int open(@In String path, int flags);

  int vsnprintf(@Out Pointer buf, long size, @In Pointer format, Pointer vaList);

  int getppid();

  /** Moves the calling thread into the namespace open at fd (nstype: CLONE_NEWNET, ...). */
  int setns(int fd, int nstype);

  int statvfs(@In String path, @Out Pointer buf);

  int O_RDONLY = 0;
  int O_CLOEXEC = 0x80000;
  int CLONE_NEWNET = 0x40000000;
}
