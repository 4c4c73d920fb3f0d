package io.gala.agent.probe.proc;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Syscall numbers and errno values to names: syscalls from the table the build generates from the
 * architecture's unistd_64.h ({@code /bpf/syscalls.txt}), errno from Linux's generic asm-generic
 * list.
 */
final class Syscalls {
  private static final Map<Integer, String> SYSCALLS = load();
  private static final String[] ERRNO = {
    "0",
    "EPERM",
    "ENOENT",
    "ESRCH",
    "EINTR",
    "EIO",
    "ENXIO",
    "E2BIG",
    "ENOEXEC",
    "EBADF",
    "ECHILD",
    "EAGAIN",
    "ENOMEM",
    "EACCES",
    "EFAULT",
    "ENOTBLK",
    "EBUSY",
    "EEXIST",
    "EXDEV",
    "ENODEV",
    "ENOTDIR",
    "EISDIR",
    "EINVAL",
    "ENFILE",
    "EMFILE",
    "ENOTTY",
    "ETXTBSY",
    "EFBIG",
    "ENOSPC",
    "ESPIPE",
    "EROFS",
    "EMLINK",
    "EPIPE",
    "EDOM",
    "ERANGE",
    "EDEADLK",
    "ENAMETOOLONG",
    "ENOLCK",
    "ENOSYS",
    "ENOTEMPTY",
    "ELOOP",
    "41",
    "ENOMSG",
    "EIDRM",
    "ECHRNG",
    "EL2NSYNC",
    "EL3HLT",
    "EL3RST",
    "ELNRNG",
    "EUNATCH",
    "ENOCSI",
    "EL2HLT",
    "EBADE",
    "EBADR",
    "EXFULL",
    "ENOANO",
    "EBADRQC",
    "EBADSLT",
    "58",
    "EBFONT",
    "ENOSTR",
    "ENODATA",
    "ETIME",
    "ENOSR",
    "ENONET",
    "ENOPKG",
    "EREMOTE",
    "ENOLINK",
    "EADV",
    "ESRMNT",
    "ECOMM",
    "EPROTO",
    "EMULTIHOP",
    "EDOTDOT",
    "EBADMSG",
    "EOVERFLOW",
    "ENOTUNIQ",
    "EBADFD",
    "EREMCHG",
    "ELIBACC",
    "ELIBBAD",
    "ELIBSCN",
    "ELIBMAX",
    "ELIBEXEC",
    "EILSEQ",
    "ERESTART",
    "ESTRPIPE",
    "EUSERS",
    "ENOTSOCK",
    "EDESTADDRREQ",
    "EMSGSIZE",
    "EPROTOTYPE",
    "ENOPROTOOPT",
    "EPROTONOSUPPORT",
    "ESOCKTNOSUPPORT",
    "EOPNOTSUPP",
    "EPFNOSUPPORT",
    "EAFNOSUPPORT",
    "EADDRINUSE",
    "EADDRNOTAVAIL",
    "ENETDOWN",
    "ENETUNREACH",
    "ENETRESET",
    "ECONNABORTED",
    "ECONNRESET",
    "ENOBUFS",
    "EISCONN",
    "ENOTCONN",
    "ESHUTDOWN",
    "ETOOMANYREFS",
    "ETIMEDOUT",
    "ECONNREFUSED",
    "EHOSTDOWN",
    "EHOSTUNREACH",
    "EALREADY",
    "EINPROGRESS",
    "ESTALE",
    "EUCLEAN",
    "ENOTNAM",
    "ENAVAIL",
    "EISNAM",
    "EREMOTEIO",
    "EDQUOT",
    "ENOMEDIUM",
    "EMEDIUMTYPE",
    "ECANCELED",
    "ENOKEY",
    "EKEYEXPIRED",
    "EKEYREVOKED",
    "EKEYREJECTED",
    "EOWNERDEAD",
    "ENOTRECOVERABLE",
    "ERFKILL",
    "EHWPOISON"
  };

  /** Kernel-internal codes (include/linux/errno.h) that some paths return to user space anyway. */
  private static final Map<Integer, String> KERNEL_ERRNO =
      Map.ofEntries(
          Map.entry(512, "ERESTARTSYS"),
          Map.entry(513, "ERESTARTNOINTR"),
          Map.entry(514, "ERESTARTNOHAND"),
          Map.entry(515, "ENOIOCTLCMD"),
          Map.entry(516, "ERESTART_RESTARTBLOCK"),
          Map.entry(517, "EPROBE_DEFER"),
          Map.entry(518, "EOPENSTALE"),
          Map.entry(519, "ENOPARAM"),
          Map.entry(521, "EBADHANDLE"),
          Map.entry(522, "ENOTSYNC"),
          Map.entry(523, "EBADCOOKIE"),
          Map.entry(524, "ENOTSUPP"),
          Map.entry(525, "ETOOSMALL"),
          Map.entry(526, "ESERVERFAULT"),
          Map.entry(527, "EBADTYPE"),
          Map.entry(528, "EJUKEBOX"),
          Map.entry(529, "EIOCBQUEUED"),
          Map.entry(530, "ERECALLCONFLICT"),
          Map.entry(531, "ENOGRACE"));

  private Syscalls() {}

  private static Map<Integer, String> load() {
    Map<Integer, String> names = new HashMap<>();
    try (InputStream in = Syscalls.class.getResourceAsStream("/bpf/syscalls.txt")) {
      if (in == null) {
        Logger.getLogger(Syscalls.class.getName())
            .warning(
                "/bpf/syscalls.txt is missing from the agent jar (built without asm/unistd_64.h?): "
                    + "failed syscalls are labelled by number");
        return names;
      }
      BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line; (line = r.readLine()) != null; ) {
        String[] f = line.trim().split(" ");
        if (f.length == 2) {
          names.put(Integer.parseInt(f[0]), f[1]);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("read /bpf/syscalls.txt", e);
    }
    return names;
  }

  /** Set in a syscall number by proc.bpf.c for a 32-bit syscall (PROC_SYSCALL_COMPAT in proc.h). */
  static final int COMPAT = 0x80000000;

  /**
   * The syscall's name, or its number when unknown (other architectures, new syscalls); 32-bit
   * syscalls of compat processes, numbered by another table, as {@code compat_<nr>}.
   */
  static String syscall(int nr) {
    if ((nr & COMPAT) != 0) {
      return "compat_" + (nr & ~COMPAT);
    }
    return SYSCALLS.getOrDefault(nr, Integer.toString(nr));
  }

  /** The errno's name from Linux's errno headers, or {@code E<n>} for one they lack. */
  static String errno(int err) {
    if (err > 0 && err < ERRNO.length && Character.isLetter(ERRNO[err].charAt(0))) {
      return ERRNO[err];
    }
    return KERNEL_ERRNO.getOrDefault(err, "E" + err);
  }
}
