package io.gala.agent.bpf;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;
import jnr.ffi.Pointer;
import jnr.ffi.byref.NativeLongByReference;

/**
 * One compiled probe ({@code <probe>.bpf.o}) through its life: open, set knobs and map sizes, load,
 * attach, read, close. Not thread-safe; a probe owns its object.
 *
 * <pre>{@code
 * try (BpfObject obj = BpfObject.open("tcp")) {
 *   obj.setGlobal("targ_netns", netnsInode);
 *   obj.resizeMap("links", 65536);
 *   obj.load(Set.of("handle_zero_window"));   // optional programs skipped on old kernels
 *   obj.attachAll();
 *   obj.map("links").forEach((k, v) -> ...);
 * }
 * }</pre>
 */
public final class BpfObject implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(BpfObject.class.getName());
  private static final int BTF_KIND_DATASEC = 15;

  private final String name;
  private final Path file;
  private final boolean ownsFile;
  private Pointer obj;
  private boolean loaded;
  private final List<Pointer> links = new ArrayList<>();
  private final Map<String, BpfMap> maps = new HashMap<>();
  private final List<String> skipped = new ArrayList<>();

  private BpfObject(String name, Path file, boolean ownsFile, Pointer obj) {
    this.name = name;
    this.file = file;
    this.ownsFile = ownsFile;
    this.obj = obj;
  }

  /** Opens {@code /bpf/<probe>.bpf.o} from the classpath (the ebpf-probes jar). */
  public static BpfObject open(String probe) {
    String resource = "/bpf/" + probe + ".bpf.o";
    try (InputStream in = BpfObject.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new BpfException(
            "open "
                + probe
                + ".bpf.o: not on the classpath ("
                + resource
                + "): rebuild ebpf-probes",
            null);
      }
      Path dir = Files.createTempDirectory("gala-bpf");
      Path file = dir.resolve(probe + ".bpf.o");
      Files.copy(in, file);
      return open(probe, file, true);
    } catch (IOException e) {
      throw new UncheckedIOException("extract " + resource, e);
    }
  }

  /** Opens a compiled object from a file. */
  public static BpfObject openFile(String name, Path file) {
    return open(name, file, false);
  }

  private static BpfObject open(String name, Path file, boolean ownsFile) {
    LibbpfLog.install();
    LibbpfLog.clearRecent();
    Pointer obj = Native.LIBBPF.bpf_object__open(file.toString());
    BpfException.check(obj, "open", file.getFileName().toString());
    return new BpfObject(name, file, ownsFile, obj);
  }

  public String name() {
    return name;
  }

  /** Sets a {@code const volatile} global (a {@code targ_*} knob) before load. */
  public void setGlobal(String variable, long value) {
    requireOpenNotLoaded("set " + variable);
    Pointer rodata = findMap(".rodata");
    NativeLongByReference size = new NativeLongByReference();
    Pointer data =
        BpfException.check(
            Native.LIBBPF.bpf_map__initial_value(rodata, size), "read .rodata of", objectName());
    Pointer btf = Native.LIBBPF.bpf_object__btf(obj);
    int sec = Native.LIBBPF.btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC);
    BpfException.check(sec, "find .rodata BTF of", objectName());
    Pointer type = Native.LIBBPF.btf__type_by_id(btf, sec);
    int vlen = type.getInt(4) & 0xffff;
    for (int i = 0; i < vlen; i++) {
      long at = 12 + 12L * i;
      int varType = type.getInt(at);
      int offset = type.getInt(at + 4);
      int bytes = type.getInt(at + 8);
      Pointer var = Native.LIBBPF.btf__type_by_id(btf, varType);
      if (variable.equals(Native.LIBBPF.btf__name_by_offset(btf, var.getInt(0)))) {
        switch (bytes) {
          case 1 -> data.putByte(offset, (byte) value);
          case 2 -> data.putShort(offset, (short) value);
          case 4 -> data.putInt(offset, (int) value);
          case 8 -> data.putLongLong(offset, value);
          default ->
              throw new IllegalArgumentException(
                  variable
                      + " in "
                      + objectName()
                      + " has "
                      + bytes
                      + " bytes; knobs are 1, 2, 4 or 8");
        }
        return;
      }
    }
    throw new IllegalArgumentException(objectName() + " has no const volatile global " + variable);
  }

  /**
   * Size in bytes of a struct in the object's BTF, so that tests can check a Java mirror of a C
   * struct against what the compiler laid out.
   */
  public long structSize(String struct) {
    if (obj == null) {
      throw new IllegalStateException("struct size on closed " + objectName());
    }
    Pointer btf = Native.LIBBPF.bpf_object__btf(obj);
    int id = Native.LIBBPF.btf__find_by_name_kind(btf, struct, 4 /* BTF_KIND_STRUCT */);
    BpfException.check(id, "find struct " + struct + " in", objectName());
    return Native.LIBBPF.btf__resolve_size(btf, id);
  }

  /** Sets a map's max_entries before load (probe params size the maps, not the C source). */
  public void resizeMap(String map, int maxEntries) {
    requireOpenNotLoaded("resize " + map);
    BpfException.check(
        Native.LIBBPF.bpf_map__set_max_entries(findMap(map), maxEntries),
        "resize map " + map + " of",
        objectName());
  }

  /** Disables a program before load, e.g. because its feature is switched off. */
  public void disableProgram(String program) {
    requireOpenNotLoaded("disable " + program);
    Pointer prog = Native.LIBBPF.bpf_object__find_program_by_name(obj, program);
    BpfException.check(prog, "find program " + program + " in", objectName());
    Native.LIBBPF.bpf_program__set_autoload(prog, false);
  }

  /**
   * Loads every enabled program into the kernel. Programs named in {@code optional} whose attach
   * target this kernel lacks are skipped and listed by {@link #skippedPrograms()}; a missing target
   * of any other program fails the load with its name.
   */
  public void load(Set<String> optional) {
    requireOpenNotLoaded("load");
    for (Map.Entry<String, Pointer> p : programs().entrySet()) {
      Pointer prog = p.getValue();
      if (!Native.LIBBPF.bpf_program__autoload(prog)) {
        continue;
      }
      String section = Native.LIBBPF.bpf_program__section_name(prog);
      if (!KernelFeatures.hasAttachTarget(section)) {
        if (!optional.contains(p.getKey())) {
          throw new BpfException(
              "load "
                  + objectName()
                  + ": program "
                  + p.getKey()
                  + " needs "
                  + section
                  + ", which this kernel lacks",
              null);
        }
        Native.LIBBPF.bpf_program__set_autoload(prog, false);
        skipped.add(p.getKey() + " (" + section + ")");
        LOG.info(() -> objectName() + ": skipping " + p.getKey() + ": kernel lacks " + section);
      }
    }
    LibbpfLog.clearRecent();
    int rc = Native.LIBBPF.bpf_object__load(obj);
    if (rc < 0) {
      String log = LibbpfLog.recent();
      BpfException e = new BpfException("load", objectName(), rc);
      throw new BpfException(e.getMessage() + (log.isEmpty() ? "" : "\nlibbpf: " + tail(log)), e);
    }
    loaded = true;
  }

  public void load() {
    load(Set.of());
  }

  /** Programs skipped at load because the kernel lacks their hook, with the hook. */
  public List<String> skippedPrograms() {
    return List.copyOf(skipped);
  }

  /**
   * Attaches every loaded tracing program (tracepoint, tp_btf, raw_tp). Iterators, uprobes and
   * cgroup programs need arguments and are attached by {@link #iterator} and friends.
   */
  public void attachAll() {
    requireLoaded("attach");
    for (Map.Entry<String, Pointer> p : programs().entrySet()) {
      Pointer prog = p.getValue();
      String section = Native.LIBBPF.bpf_program__section_name(prog);
      if (!Native.LIBBPF.bpf_program__autoload(prog) || !autoAttachable(section)) {
        continue;
      }
      links.add(
          BpfException.check(
              Native.LIBBPF.bpf_program__attach(prog),
              "attach " + p.getKey() + " (" + section + ") of",
              objectName()));
    }
  }

  private static boolean autoAttachable(String section) {
    return section.startsWith("tp_btf/")
        || section.startsWith("tracepoint/")
        || section.startsWith("tp/")
        || section.startsWith("raw_tp/")
        || section.startsWith("raw_tracepoint/");
  }

  /** A map of the loaded object, by its C name. */
  public BpfMap map(String mapName) {
    requireLoaded("map " + mapName);
    return maps.computeIfAbsent(mapName, n -> new BpfMap(objectName(), findMap(n)));
  }

  /** A BPF iterator program ({@code SEC("iter/...")}), attached and ready to be read. */
  public BpfIterator iterator(String program) {
    requireLoaded("iterator " + program);
    Pointer prog =
        BpfException.check(
            Native.LIBBPF.bpf_object__find_program_by_name(obj, program),
            "find program " + program + " in",
            objectName());
    Pointer link =
        BpfException.check(
            Native.LIBBPF.bpf_program__attach_iter(prog, null),
            "attach iterator " + program + " of",
            objectName());
    links.add(link);
    return new BpfIterator(objectName() + ":" + program, Native.LIBBPF.bpf_link__fd(link));
  }

  /** Attaches a uprobe (or uretprobe) of the program to a function offset in a binary. */
  public void attachUprobe(String program, boolean ret, int pid, String binary, long offset) {
    requireLoaded("uprobe " + program);
    Pointer prog =
        BpfException.check(
            Native.LIBBPF.bpf_object__find_program_by_name(obj, program),
            "find program " + program + " in",
            objectName());
    links.add(
        BpfException.check(
            Native.LIBBPF.bpf_program__attach_uprobe(prog, ret, pid, binary, offset),
            "attach uprobe " + program + " to " + binary + " of",
            objectName()));
  }

  private Map<String, Pointer> programs() {
    Map<String, Pointer> progs = new LinkedHashMap<>();
    Pointer prog = Native.LIBBPF.bpf_object__next_program(obj, null);
    while (prog != null && prog.address() != 0) {
      progs.put(Native.LIBBPF.bpf_program__name(prog), prog);
      prog = Native.LIBBPF.bpf_object__next_program(obj, prog);
    }
    return progs;
  }

  private Pointer findMap(String mapName) {
    Pointer map = Native.LIBBPF.bpf_object__find_map_by_name(obj, mapName);
    if (map != null && map.address() != 0) {
      return map;
    }
    if (mapName.startsWith(".")) {
      // libbpf names internal maps "<obj>.rodata" (truncated); match on the suffix.
      for (Pointer m = Native.LIBBPF.bpf_object__next_map(obj, null);
          m != null && m.address() != 0;
          m = Native.LIBBPF.bpf_object__next_map(obj, m)) {
        if (Native.LIBBPF.bpf_map__name(m).endsWith(mapName)) {
          return m;
        }
      }
    }
    throw new IllegalArgumentException(objectName() + " has no map " + mapName);
  }

  private String objectName() {
    return file.getFileName().toString();
  }

  private void requireOpenNotLoaded(String what) {
    if (obj == null || loaded) {
      throw new IllegalStateException(
          what + " on " + objectName() + ": only between open and load");
    }
  }

  private void requireLoaded(String what) {
    if (obj == null || !loaded) {
      throw new IllegalStateException(what + " on " + objectName() + ": not loaded");
    }
  }

  private static String tail(String log) {
    return log.length() <= 4000 ? log : "..." + log.substring(log.length() - 4000);
  }

  /** Detaches every program and frees the object; safe to call twice. */
  @Override
  public void close() {
    for (int i = links.size() - 1; i >= 0; i--) {
      Native.LIBBPF.bpf_link__destroy(links.get(i));
    }
    links.clear();
    if (obj != null) {
      Native.LIBBPF.bpf_object__close(obj);
      obj = null;
    }
    if (!ownsFile) {
      return;
    }
    try {
      Files.deleteIfExists(file);
      Files.deleteIfExists(file.getParent());
    } catch (IOException e) {
      LOG.fine(() -> "could not delete " + file + ": " + e);
    }
  }
}
