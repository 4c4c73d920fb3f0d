package io.gala.agent.bpf;

/**
 * A failed libbpf or bpf syscall operation, with the operation, the object and the error, e.g.
 * {@code load tcp.bpf.o: EPERM: run as root or grant CAP_BPF, ...}.
 */
public class BpfException extends RuntimeException {
  private final int errno;

  public BpfException(String message, Throwable cause) {
    super(message, cause);
    this.errno = 0;
  }

  BpfException(String operation, String object, int errno) {
    super(format(operation, object, errno));
    this.errno = Math.abs(errno);
  }

  private static String format(String operation, String object, int errno) {
    String remedy = Errno.remedy(errno);
    return operation
        + " "
        + object
        + ": "
        + Errno.name(errno)
        + (remedy.isEmpty() ? "" : ": " + remedy);
  }

  /** The positive errno, or 0 when the failure did not come from the kernel. */
  public int errno() {
    return errno;
  }

  /** Throws when a libbpf int result is negative (libbpf 1.x returns -errno). */
  static int check(int result, String operation, String object) {
    if (result < 0) {
      throw new BpfException(operation, object, result);
    }
    return result;
  }

  /** Throws when a libbpf pointer result is NULL (libbpf 1.x sets errno). */
  static jnr.ffi.Pointer check(jnr.ffi.Pointer result, String operation, String object) {
    if (result == null || result.address() == 0) {
      throw new BpfException(operation, object, Native.errno());
    }
    return result;
  }
}
