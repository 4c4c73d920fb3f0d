package io.gala.agent.probe.proc;

import io.gala.agent.bpf.BpfMap;
import io.gala.agent.bpf.BpfObject;
import io.gala.agent.probe.Probe;
import io.gala.agent.probe.ProbeConfig;
import io.gala.agent.probe.ProbeContext;
import io.gala.agent.probe.ProcessInfo;
import io.gala.agent.probe.ProcessLabels;
import io.gala.agent.probe.Scope;
import io.gala.agent.table.Row;
import io.gala.agent.table.TableDef;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import jnr.ffi.Pointer;

/**
 * The {@code proc} probe: per process CPU, memory, fds and I/O from /proc, plus what only the kernel
 * sees, from proc.bpf.c: run-queue delay, failed syscalls by syscall and errno, fork/exec and OOM kills.
 * An exited process gets one final row ({@code exited 1}) and is then forgotten.
 */
public final class ProcProbe implements Probe {
  static final Set<String> OPTIONAL_PROGRAMS = Set.of("handle_oom_victim", "handle_sched_wakeup_new");
  private static final double NS = 1e9;
  private static final long PAGE = 4096;

  private final Path proc;
  private final long clockTicks;
  private BpfObject obj;
  private BpfMap procs;
  private BpfMap fails;
  private BpfMap mapFull;
  private Scope scope;
  private ProbeConfig config;
  private ProcessLabels labels;
  private final Map<Long, Long> netnsCache = new HashMap<>();

  public ProcProbe() {
    this(Path.of("/proc"), 100);
  }

  ProcProbe(Path proc, long clockTicks) {
    this.proc = proc;
    this.clockTicks = clockTicks;
  }

  @Override
  public String name() {
    return "proc";
  }

  @Override
  public List<TableDef> tables() {
    return List.of(ProcTables.PROC, ProcTables.PROC_SYSCALL);
  }

  @Override
  public void start(ProbeContext context) {
    this.scope = context.scope();
    this.config = context.config();
    this.labels = context.processes();
    obj = BpfObject.open("proc");
    obj.setGlobal("targ_netns", scope.netnsInode());
    int maxProcs = (int) config.param("max_procs", 16384);
    obj.resizeMap("procs", maxProcs);
    obj.resizeMap("syscall_fails", maxProcs);
    if (!config.subprobe("proc_syscall")) {
      obj.disableProgram("handle_sys_exit");
    }
    obj.load(OPTIONAL_PROGRAMS);
    obj.attachAll();
    procs = obj.map("procs");
    fails = obj.map("syscall_fails");
    mapFull = obj.map("map_full");
  }

  @Override
  public void sample(Consumer<Row> sink) throws IOException {
    Map<Long, ProcStats> kernel = new HashMap<>();
    List<Long> exitedKeys = new ArrayList<>();
    procs.forEach((k, v) -> {
      long tgid = Integer.toUnsignedLong(k.getInt(0));
      ProcStats s = ProcStats.read(v);
      kernel.put(tgid, s);
      if (s.exitNs() != 0) {
        exitedKeys.add(tgid);
      }
    });
    Map<Long, Map<String, Long>> failed = new HashMap<>();
    fails.forEach((k, v) -> {
      long tgid = Integer.toUnsignedLong(k.getInt(0));
      String key = Syscalls.syscall(k.getInt(4)) + "\u0000" + Syscalls.errno(k.getInt(8));
      failed.computeIfAbsent(tgid, t -> new LinkedHashMap<>()).merge(key, v.getLong(0), Long::sum);
    });

    Set<Long> alive = new HashSet<>(ProcFiles.pids(proc));
    Set<Long> reported = new HashSet<>();
    for (long tgid : alive) {
      if (!inScope(tgid)) {
        continue;
      }
      ProcFiles files = ProcFiles.read(proc, tgid);
      if (files == null) {
        continue;
      }
      ProcessInfo info = labels.get(tgid);
      if (!config.snoopers().matches(tgid, info)) {
        continue;
      }
      emit(sink, tgid, info, files, kernel.get(tgid), failed.get(tgid), false);
      reported.add(tgid);
    }
    // Processes that exited since the last read: their final kernel counters, once.
    for (long tgid : kernel.keySet()) {
      boolean gone = !alive.contains(tgid);
      if (gone && !reported.contains(tgid)) {
        ProcessInfo info = labels.get(tgid);
        if (config.snoopers().matches(tgid, info)) {
          emit(sink, tgid, info, null, kernel.get(tgid), failed.get(tgid), true);
        }
      }
      if (gone) {
        forget(tgid);
      }
    }
    for (long tgid : exitedKeys) {
      if (!alive.contains(tgid)) {
        forget(tgid);
      }
    }
    netnsCache.keySet().retainAll(alive);
  }

  private boolean inScope(long tgid) {
    if (scope.isHost()) {
      return true;
    }
    return netnsCache.computeIfAbsent(tgid, Scope::netnsOfPid) == scope.netnsInode();
  }

  private void emit(Consumer<Row> sink, long tgid, ProcessInfo info, ProcFiles f, ProcStats k,
      Map<String, Long> failed, boolean exited) {
    Row.Builder r = ProcTables.PROC.row()
        .key("tgid", tgid)
        .label("comm", info.comm())
        .label("cmdline", info.cmdline())
        .label("container_id", info.containerId())
        .set("exited", exited ? 1 : 0);
    if (f != null) {
      r.label("ppid", f.ppid());
      set(r, "utime_jiffies", f.utime());
      set(r, "stime_jiffies", f.stime());
      if (f.utime() >= 0 && f.stime() >= 0) {
        r.set("cpu_seconds", (f.utime() + f.stime()) / (double) clockTicks);
      }
      set(r, "num_threads", f.numThreads());
      set(r, "vm_size", f.vsize());
      if (f.rssPages() >= 0) {
        r.set("pm_size", f.rssPages() * PAGE);
      }
      set(r, "fd_count", f.fdCount());
      set(r, "minor_pagefault_count", f.minflt());
      set(r, "major_pagefault_count", f.majflt());
      set(r, "rchar_bytes", f.rchar());
      set(r, "wchar_bytes", f.wchar());
      set(r, "syscr_count", f.syscr());
      set(r, "syscw_count", f.syscw());
      set(r, "read_bytes", f.readBytes());
      set(r, "write_bytes", f.writeBytes());
    }
    ProcStats s = k == null ? new ProcStats(0, 0, 0, 0, 0, 0, 0, 0) : k;
    r.set("runq_delay_seconds", s.runqDelayNs() / NS)
        .set("runq_count", s.runqCount())
        .set("syscall_failed", s.syscallFailed())
        .set("fork_count", s.forkCount())
        .set("exec_count", s.execCount())
        .set("oom_kill_count", s.oomKills());
    sink.accept(r.build());
    if (failed != null) {
      failed.forEach((key, n) -> {
        int sep = key.indexOf('\u0000');
        sink.accept(ProcTables.PROC_SYSCALL.row()
            .key("tgid", tgid).key("syscall", key.substring(0, sep)).key("errno", key.substring(sep + 1))
            .label("comm", info.comm())
            .set("failed", n)
            .build());
      });
    }
  }

  private static void set(Row.Builder r, String metric, long v) {
    if (v >= 0) {
      r.set(metric, v);
    }
  }

  /** Drops a gone process from the kernel maps and the label cache, after its final row. */
  private void forget(long tgid) {
    Pointer key = procs.newKey();
    key.putInt(0, (int) tgid);
    procs.delete(key);
    List<Pointer> stale = new ArrayList<>();
    fails.forEach((k, v) -> {
      if (Integer.toUnsignedLong(k.getInt(0)) == tgid) {
        Pointer copy = fails.newKey();
        copy.transferFrom(0, k, 0, fails.keySize());
        stale.add(copy);
      }
    });
    stale.forEach(fails::delete);
    labels.forget(tgid);
  }

  @Override
  public Map<String, Long> health() {
    if (mapFull == null) {
      return Map.of();
    }
    return mapFull.perCpuCounters("map_full/", "procs", "syscall_fails", "start");
  }

  @Override
  public void close() {
    if (obj != null) {
      obj.close();
      obj = null;
    }
  }
}
