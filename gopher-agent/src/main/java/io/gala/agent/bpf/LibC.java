package io.gala.agent.bpf;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;

/** The few libc calls the binding needs: reading iterator fds, formatting libbpf's log lines. */
public interface LibC {
  long read(int fd, @Out Pointer buf, long count);

  int close(int fd);

  int open(@In String path, int flags);

  int vsnprintf(@Out Pointer buf, long size, @In Pointer format, Pointer vaList);

  int getppid();

  int statvfs(@In String path, @Out Pointer buf);

  int O_RDONLY = 0;
}
