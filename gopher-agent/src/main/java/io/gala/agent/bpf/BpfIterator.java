package io.gala.agent.bpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * A BPF iterator program (e.g. {@code iter/tcp}) ready to run: every {@link #read()} walks the
 * kernel objects afresh and returns what the program wrote with {@code bpf_seq_write}, in native
 * byte order.
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
    return readAndClose(fd);
  }

  /**
   * Runs the iterator once as if from inside another network namespace: iterators over sockets
   * ({@code iter/tcp}, {@code iter/udp}) walk the namespace of the thread that creates them. The
   * calling thread enters the namespace only to create the iterator and is back in its own before
   * reading.
   *
   * @param netnsFile {@code /run/netns/<name>} or {@code /proc/<pid>/ns/net}
   */
  public ByteBuffer read(Path netnsFile) {
    int target = Native.LIBC.open(netnsFile.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC);
    if (target < 0) {
      throw new BpfException("open network namespace " + netnsFile + " for", name, Native.errno());
    }
    int self = Native.LIBC.open("/proc/thread-self/ns/net", LibC.O_RDONLY | LibC.O_CLOEXEC);
    if (self < 0) {
      int errno = Native.errno();
      Native.LIBC.close(target);
      throw new BpfException("open own network namespace for", name, errno);
    }
    int fd;
    try {
      if (Native.LIBC.setns(target, LibC.CLONE_NEWNET) != 0) {
        throw new BpfException(
            "enter network namespace " + netnsFile + " for", name, Native.errno());
      }
      try {
        fd = Native.LIBBPF.bpf_iter_create(linkFd);
      } finally {
        if (Native.LIBC.setns(self, LibC.CLONE_NEWNET) != 0) {
          // A thread left in a foreign namespace would open sockets there: fail loudly.
          throw new IllegalStateException(
              "cannot return to own network namespace after iterating "
                  + netnsFile
                  + " ("
                  + Errno.name(-Native.errno())
                  + ")");
        }
      }
    } finally {
      Native.LIBC.close(self);
      Native.LIBC.close(target);
    }
    BpfException.check(fd, "create iterator in " + netnsFile + " for", name);
    return readAndClose(fd);
  }

  private ByteBuffer readAndClose(int fd) {
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
          ByteBuffer bigger =
              ByteBuffer.allocate(Math.max(out.capacity() * 2, out.position() + (int) n));
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
