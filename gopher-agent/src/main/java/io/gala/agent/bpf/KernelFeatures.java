package io.gala.agent.bpf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import jnr.ffi.Pointer;

/**
 * Answers "does this kernel have hook X?" before a program is loaded, so that a probe built for 6.x
 * can skip an optional program on 5.10 instead of failing as a whole.
 */
public final class KernelFeatures {
  private static final int BTF_KIND_TYPEDEF = 8;
  private static final int BTF_KIND_STRUCT = 4;
  private static final int BTF_KIND_ENUM = 6;
  private static final int BTF_KIND_ENUM64 = 19;
  private static final int BTF_KIND_PTR = 2;
  private static final int BTF_KIND_FUNC_PROTO = 13;
  private static final Path TRACEFS = Path.of("/sys/kernel/tracing/events");
  private static final Path DEBUGFS_TRACING = Path.of("/sys/kernel/debug/tracing/events");
  private static Pointer vmlinuxBtf;

  private KernelFeatures() {}

  private static synchronized Pointer vmlinux() {
    if (vmlinuxBtf == null) {
      LibbpfLog.install();
      vmlinuxBtf = BpfException.check(Native.LIBBPF.btf__load_vmlinux_btf(), "load", "vmlinux BTF");
    }
    return vmlinuxBtf;
  }

  /**
   * Whether the attach target of a program section exists: {@code tp_btf/x} and {@code raw_tp/x}
   * need the BTF typedef {@code btf_trace_x}; {@code tracepoint/cat/x} needs the tracefs directory
   * (or, when tracefs is not mounted, the raw tracepoint's BTF). Other sections are assumed
   * present.
   */
  public static boolean hasAttachTarget(String section) {
    if (section.startsWith("tp_btf/")
        || section.startsWith("raw_tp/")
        || section.startsWith("raw_tracepoint/")) {
      String tp = section.substring(section.indexOf('/') + 1);
      return hasTypedef("btf_trace_" + tp);
    }
    if (section.startsWith("tracepoint/") || section.startsWith("tp/")) {
      String catAndName = section.substring(section.indexOf('/') + 1);
      if (Files.isDirectory(TRACEFS) || Files.isDirectory(DEBUGFS_TRACING)) {
        return Files.isDirectory(TRACEFS.resolve(catAndName))
            || Files.isDirectory(DEBUGFS_TRACING.resolve(catAndName));
      }
      return hasTypedef("btf_trace_" + catAndName.substring(catAndName.indexOf('/') + 1));
    }
    return true;
  }

  public static boolean hasTypedef(String name) {
    return Native.LIBBPF.btf__find_by_name_kind(vmlinux(), name, BTF_KIND_TYPEDEF) > 0;
  }

  public static boolean hasStruct(String name) {
    return Native.LIBBPF.btf__find_by_name_kind(vmlinux(), name, BTF_KIND_STRUCT) > 0;
  }

  /**
   * The enumerators of a kernel enum by value, e.g. {@code skb_drop_reason}, whose numbering
   * changes between kernel versions; empty when this kernel has no such enum.
   */
  public static Map<Long, String> enumerators(String enumName) {
    Pointer btf = vmlinux();
    Map<Long, String> out = new TreeMap<>();
    int id = Native.LIBBPF.btf__find_by_name_kind(btf, enumName, BTF_KIND_ENUM);
    boolean wide = false;
    if (id <= 0) {
      id = Native.LIBBPF.btf__find_by_name_kind(btf, enumName, BTF_KIND_ENUM64);
      wide = true;
    }
    if (id <= 0) {
      return out;
    }
    // struct btf_type (12 bytes), then vlen entries: btf_enum {name_off, val} or btf_enum64
    // {name_off,
    // val_lo32, val_hi32}.
    Pointer type = Native.LIBBPF.btf__type_by_id(btf, id);
    int vlen = type.getInt(4) & 0xffff;
    int entry = wide ? 12 : 8;
    for (int i = 0; i < vlen; i++) {
      long at = 12L + (long) entry * i;
      String name = Native.LIBBPF.btf__name_by_offset(btf, type.getInt(at));
      long value = type.getInt(at + 4) & 0xffffffffL;
      if (wide) {
        value |= ((long) type.getInt(at + 8)) << 32;
      }
      out.put(value, name);
    }
    return out;
  }

  /**
   * How many arguments a tracepoint passes to {@code tp_btf} and {@code raw_tp} programs (the
   * hidden context pointer of {@code btf_trace_<tp>} not counted), or -1 when this kernel lacks it.
   * Tells apart argument lists that changed between kernels, e.g. {@code block_rq_issue}: (q, rq)
   * on 5.10, (rq) from 5.11.
   */
  public static int tracepointArgCount(String tracepoint) {
    Pointer btf = vmlinux();
    int id = Native.LIBBPF.btf__find_by_name_kind(btf, "btf_trace_" + tracepoint, BTF_KIND_TYPEDEF);
    if (id <= 0) {
      return -1;
    }
    // typedef -> pointer -> func_proto; btf_type is {name_off, info, size_or_type}, kind in info
    // bits 24-28.
    Pointer ptr =
        Native.LIBBPF.btf__type_by_id(btf, Native.LIBBPF.btf__type_by_id(btf, id).getInt(8));
    Pointer proto = Native.LIBBPF.btf__type_by_id(btf, ptr.getInt(8));
    if (btfKind(ptr) != BTF_KIND_PTR || btfKind(proto) != BTF_KIND_FUNC_PROTO) {
      throw new IllegalStateException(
          "vmlinux BTF: btf_trace_"
              + tracepoint
              + " is not a typedef of a function pointer; cannot tell its arguments");
    }
    return (proto.getInt(4) & 0xffff) - 1;
  }

  private static int btfKind(Pointer type) {
    return (type.getInt(4) >>> 24) & 0x1f;
  }
}
