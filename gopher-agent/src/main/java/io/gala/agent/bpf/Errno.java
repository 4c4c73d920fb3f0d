package io.gala.agent.bpf;

import java.util.Map;

/** Names and remedies for the errno values libbpf and the bpf syscall return. */
final class Errno {
  private static final Map<Integer, String> NAMES =
      Map.ofEntries(
          Map.entry(1, "EPERM"),
          Map.entry(2, "ENOENT"),
          Map.entry(3, "ESRCH"),
          Map.entry(4, "EINTR"),
          Map.entry(7, "E2BIG"),
          Map.entry(9, "EBADF"),
          Map.entry(11, "EAGAIN"),
          Map.entry(12, "ENOMEM"),
          Map.entry(13, "EACCES"),
          Map.entry(14, "EFAULT"),
          Map.entry(16, "EBUSY"),
          Map.entry(17, "EEXIST"),
          Map.entry(22, "EINVAL"),
          Map.entry(28, "ENOSPC"),
          Map.entry(38, "ENOSYS"),
          Map.entry(95, "EOPNOTSUPP"),
          Map.entry(524, "ENOTSUPP"));

  private Errno() {}

  static String name(int errno) {
    return NAMES.getOrDefault(Math.abs(errno), "errno " + Math.abs(errno));
  }

  /** What the operator can do about it, or "" when nothing general helps. */
  static String remedy(int errno) {
    return switch (Math.abs(errno)) {
      case 1, 13 -> "run as root or grant CAP_BPF, CAP_PERFMON and CAP_SYS_RESOURCE";
      case 2 ->
          "the kernel lacks this hook or BTF type; check the kernel version and CONFIG_DEBUG_INFO_BTF";
      case 7, 12 -> "lower the map sizes in the probe's params or raise RLIMIT_MEMLOCK";
      case 22 -> "the verifier or kernel rejected the program; see the libbpf log above";
      case 95, 524 -> "this kernel does not support the program or map type";
      default -> "";
    };
  }
}
