package io.gala.agent.probe.proc;

import io.gala.agent.bpf.BpfMap;
import io.gala.agent.bpf.BpfObject;
import io.gala.agent.probe.ProbeConfig;
import io.gala.agent.probe.Scope;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jnr.ffi.Pointer;

/**
 * The kernel half of the proc probe: proc.bpf.o loaded and attached, its maps read once per sample
 * and pruned of processes whose final row was emitted.
 */
final class ProcKernel implements AutoCloseable {
  /** Programs whose hook older kernels may lack; the rest of the probe runs without them. */
  static final Set<String> OPTIONAL_PROGRAMS =
      Set.of("handle_oom_victim", "handle_sched_wakeup_new");

  private static final String[] MAP_FULL_NAMES = {
    "map_full/procs", "map_full/syscall_fails", "map_full/start"
  };

  /** A syscall number (with PROC_SYSCALL_COMPAT) and a positive errno. */
  record SyscallError(int nr, int err) {
    /**
     * {@code struct syscall_fail_key} of proc.h: size and offsets, checked against BTF by a test.
     */
    static final int KEY_SIZE = 16;

    static final Map<String, Integer> KEY_OFFSETS = Map.of("tgid", 0, "nr", 4, "err", 8, "pad", 12);

    static long tgid(Pointer key) {
      return Integer.toUnsignedLong(key.getInt(KEY_OFFSETS.get("tgid")));
    }

    static SyscallError of(Pointer key) {
      return new SyscallError(
          key.getInt(KEY_OFFSETS.get("nr")), key.getInt(KEY_OFFSETS.get("err")));
    }
  }

  /** What the maps held at one read. */
  record Snapshot(Map<Long, ProcStats> procs, Map<Long, Map<SyscallError, Long>> errors) {}

  private final BpfObject obj;
  private final BpfMap procs;
  private final BpfMap errors;
  private final BpfMap period;
  private final BpfMap mapFull;
  private long currentPeriod = 1;

  private ProcKernel(BpfObject obj) {
    this.obj = obj;
    procs = obj.map("procs");
    errors = obj.map("syscall_fails");
    period = obj.map("period");
    mapFull = obj.map("map_full");
    writePeriod();
  }

  /** Opens, sizes, loads and attaches proc.bpf.o for this scope and config. */
  static ProcKernel start(Scope scope, ProbeConfig config) {
    BpfObject obj = BpfObject.open("proc");
    try {
      obj.setGlobal("targ_netns", scope.netnsInode());
      int maxProcs = (int) config.param("max_procs", 16384);
      obj.resizeMap("procs", maxProcs);
      obj.resizeMap("syscall_fails", maxProcs);
      if (!config.subprobe("proc_syscall")) {
        obj.disableProgram("handle_sys_exit");
      }
      obj.load(OPTIONAL_PROGRAMS);
      obj.attachAll();
      return new ProcKernel(obj);
    } catch (RuntimeException e) {
      obj.close();
      throw e;
    }
  }

  /** Closes the current sample period (for per-period maxima) and reads both maps. */
  Snapshot read() {
    long ended = currentPeriod++;
    writePeriod();
    Map<Long, ProcStats> stats = new HashMap<>();
    procs.forEach(
        (k, v) -> stats.put(Integer.toUnsignedLong(k.getInt(0)), ProcStats.read(v, ended)));
    Map<Long, Map<SyscallError, Long>> byProc = new HashMap<>();
    errors.forEach(
        (k, v) ->
            byProc
                .computeIfAbsent(SyscallError.tgid(k), t -> new LinkedHashMap<>())
                .merge(SyscallError.of(k), v.getLong(0), Long::sum));
    return new Snapshot(stats, byProc);
  }

  private void writePeriod() {
    Pointer key = period.newKey();
    Pointer value = period.newValue();
    key.putInt(0, 0);
    value.putLong(0, currentPeriod);
    period.update(key, value);
  }

  /**
   * Reads the current entries of these processes from both maps and deletes them: the final figures
   * of processes whose final row is due (fresher than the sample's snapshot, which may predate
   * their exit). One pass over the error map, whatever the number of processes.
   */
  Snapshot drain(Set<Long> tgids) {
    Map<Long, ProcStats> stats = new HashMap<>();
    Map<Long, Map<SyscallError, Long>> byProc = new HashMap<>();
    if (tgids.isEmpty()) {
      return new Snapshot(stats, byProc);
    }
    Pointer key = procs.newKey();
    Pointer value = procs.newValue();
    for (long tgid : tgids) {
      key.putInt(0, (int) tgid);
      if (procs.lookup(key, value)) {
        stats.put(tgid, ProcStats.read(value, currentPeriod - 1));
        procs.delete(key);
      }
    }
    List<Pointer> drained = new ArrayList<>();
    errors.forEach(
        (k, v) -> {
          long tgid = SyscallError.tgid(k);
          if (tgids.contains(tgid)) {
            byProc
                .computeIfAbsent(tgid, t -> new LinkedHashMap<>())
                .merge(SyscallError.of(k), v.getLong(0), Long::sum);
            Pointer copy = errors.newKey();
            copy.transferFrom(0, k, 0, errors.keySize());
            drained.add(copy);
          }
        });
    drained.forEach(errors::delete);
    return new Snapshot(stats, byProc);
  }

  /** Updates lost to full maps, cumulative, by map. */
  Map<String, Long> health() {
    Map<String, Long> out = new LinkedHashMap<>();
    for (int i = 0; i < MAP_FULL_NAMES.length; i++) {
      out.put(MAP_FULL_NAMES[i], mapFull.sumOverCpus(i));
    }
    return out;
  }

  /** Programs skipped at load because this kernel lacks their hook. */
  List<String> skippedPrograms() {
    return obj.skippedPrograms();
  }

  @Override
  public void close() {
    obj.close();
  }
}
