package io.gala.agent.bpf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.logging.Level;
import java.util.logging.Logger;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * Routes libbpf's own log (verifier output, CO-RE relocation notes, warnings) into the agent's log,
 * and keeps the last lines of the current thread so that a failed load can quote them in its
 * exception.
 */
final class LibbpfLog {
  private static final Logger LOG = Logger.getLogger("libbpf");
  private static final int LIBBPF_WARN = 0;
  private static final int LIBBPF_INFO = 1;
  private static final int KEEP_LINES = 40;
  private static final ThreadLocal<Deque<String>> RECENT = ThreadLocal.withInitial(ArrayDeque::new);

  /** Held strongly: the native side keeps a pointer to the callback's trampoline. */
  private static final Libbpf.PrintFn PRINT = LibbpfLog::print;

  private static volatile boolean installed;

  private LibbpfLog() {}

  static synchronized void install() {
    if (!installed) {
      Native.LIBBPF.libbpf_set_print(PRINT);
      installed = true;
    }
  }

  private static int print(int level, Pointer fmt, Pointer vaList) {
    try {
      Pointer buf = Memory.allocateDirect(Native.RUNTIME, 4096);
      int n = Native.LIBC.vsnprintf(buf, 4096, fmt, vaList);
      byte[] bytes = new byte[Math.max(0, Math.min(n, 4095))];
      buf.get(0, bytes, 0, bytes.length);
      String line = new String(bytes, StandardCharsets.UTF_8).stripTrailing();
      Deque<String> recent = RECENT.get();
      recent.addLast(line);
      while (recent.size() > KEEP_LINES) {
        recent.removeFirst();
      }
      Level julLevel =
          level == LIBBPF_WARN ? Level.WARNING : level == LIBBPF_INFO ? Level.FINE : Level.FINEST;
      LOG.log(julLevel, line);
    } catch (RuntimeException e) {
      // An exception must never unwind into libbpf's C frames.
      LOG.log(Level.WARNING, "could not format a libbpf log line", e);
    }
    return 0;
  }

  /** Forgets the lines logged so far on this thread, before an operation whose log we want. */
  static void clearRecent() {
    RECENT.get().clear();
  }

  /** The warning lines logged on this thread since {@link #clearRecent()}, joined. */
  static String recent() {
    return String.join("\n", RECENT.get());
  }
}
