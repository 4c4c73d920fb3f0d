package io.gala.agent.bpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * A BPF iterator program (e.g. {@code iter/tcp}) ready to run: every {@link #read()} walks the kernel
 * objects afresh and returns what the program wrote with {@code bpf_seq_write}, in native byte order.
 */
public final class BpfIterator {
  private final String name;
  private final int linkFd;
  private final Pointer chunk = Memory.allocateDirect(Native.RUNTIME, 64 * 1024);

  BpfIterator(String name, int linkFd) {
    this.name = name;
    this.linkFd = linkFd;
  }

  /** Runs the iterator once; the buffer holds all its output. */
  public ByteBuffer read() {
    int fd = Native.LIBBPF.bpf_iter_create(linkFd);
    BpfException.check(fd, "create iterator", name);
    try {
      ByteBuffer out = ByteBuffer.allocate(64 * 1024);
      while (true) {
        long n = Native.LIBC.read(fd, chunk, 64 * 1024);
        if (n < 0) {
          int errno = Native.errno();
          if (errno == 4 || errno == 11) {
            continue; // EINTR, EAGAIN: the kernel asks us to retry.
          }
          throw new BpfException("read iterator", name, errno);
        }
        if (n == 0) {
          break;
        }
        if (out.remaining() < n) {
          ByteBuffer bigger = ByteBuffer.allocate(Math.max(out.capacity() * 2, out.position() + (int) n));
          out.flip();
          bigger.put(out);
          out = bigger;
        }
        byte[] tmp = new byte[(int) n];
        chunk.get(0, tmp, 0, (int) n);
        out.put(tmp);
      }
      out.flip();
      return out.order(ByteOrder.nativeOrder());
    } finally {
      Native.LIBC.close(fd);
    }
  }
}
