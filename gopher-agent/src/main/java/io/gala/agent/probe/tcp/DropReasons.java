package io.gala.agent.probe.tcp;

import io.gala.agent.bpf.KernelFeatures;
import java.util.HashMap;
import java.util.Map;

/**
 * Names of the kernel's packet drop reasons ({@code enum skb_drop_reason}, 5.17+), read from the
 * running kernel's BTF because their numbering changes from one kernel version to the next. Names
 * drop the {@code SKB_DROP_REASON_} prefix, as {@code perf} and dropwatch print them: {@code
 * NETFILTER_DROP}, {@code TCP_CSUM}. Values with a subsystem in the upper 16 bits (mac80211,
 * openvswitch) are named {@code <SUBSYSTEM>_<code>}. A kernel without drop reasons reports every
 * drop as {@code UNKNOWN}.
 */
final class DropReasons {
  private static final String PREFIX = "SKB_DROP_REASON_";
  private static final String SUBSYS_PREFIX = "SKB_DROP_REASON_SUBSYS_";
  static final String UNKNOWN = "UNKNOWN";

  private final Map<Long, String> reasons = new HashMap<>();
  private final Map<Long, String> subsystems = new HashMap<>();

  private DropReasons(Map<Long, String> reasonEnum, Map<Long, String> subsysEnum) {
    reasonEnum.forEach(
        (value, name) -> {
          // SKB_DROP_REASON_MAX and SKB_DROP_REASON_SUBSYS_MASK are bounds, not reasons.
          if (!name.endsWith("_MAX") && !name.endsWith("_MASK")) {
            reasons.put(value, strip(name));
          }
        });
    subsysEnum.forEach(
        (value, name) -> {
          if (!name.endsWith("_NUM")) {
            subsystems.put(
                value,
                name.startsWith(SUBSYS_PREFIX) ? name.substring(SUBSYS_PREFIX.length()) : name);
          }
        });
  }

  /** From enumerators by value, as {@link KernelFeatures#enumerators} returns them. */
  static DropReasons of(Map<Long, String> reasonEnum, Map<Long, String> subsysEnum) {
    return new DropReasons(reasonEnum, subsysEnum);
  }

  /** The running kernel's reasons. */
  static DropReasons ofRunningKernel() {
    return of(
        KernelFeatures.enumerators("skb_drop_reason"),
        KernelFeatures.enumerators("skb_drop_reason_subsys"));
  }

  private static String strip(String name) {
    if (name.startsWith(PREFIX)) {
      return name.substring(PREFIX.length());
    }
    // SKB_NOT_DROPPED_YET, SKB_CONSUMED
    return name.startsWith("SKB_") ? name.substring(4) : name;
  }

  String name(long value) {
    if (reasons.isEmpty()) {
      return UNKNOWN;
    }
    String name = reasons.get(value);
    if (name != null) {
      return name;
    }
    String subsystem = subsystems.get(value >>> 16);
    if (subsystem != null && (value >>> 16) != 0) {
      return subsystem + "_" + (value & 0xffff);
    }
    return UNKNOWN + "_" + value;
  }
}
