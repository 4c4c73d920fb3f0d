package io.gala.agent.probe.proc;

import io.gala.agent.probe.Probe;
import io.gala.agent.probe.ProbeConfig.Snoopers;
import io.gala.agent.probe.ProbeContext;
import io.gala.agent.probe.ProcessInfo;
import io.gala.agent.probe.ProcessLabels;
import io.gala.agent.probe.Scope;
import io.gala.agent.probe.proc.ProcKernel.Snapshot;
import io.gala.agent.probe.proc.ProcKernel.SyscallError;
import io.gala.agent.table.Row;
import io.gala.agent.table.TableDef;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The {@code proc} probe: per process CPU, memory, fds and I/O from /proc, plus what only the
 * kernel sees, from proc.bpf.c: run-queue delay, failed syscalls by syscall and errno, fork/exec
 * and OOM kills. Only processes in the scope's network namespace, and only snooped ones when
 * snoopers are set. A process that exited gets one final row ({@code exited 1}) and is then
 * forgotten, here and in the kernel maps, so that state stays bounded by the live processes.
 */
public final class ProcProbe implements Probe {
  /** Re-read a process's RLIMIT_NOFILE every this many samples (it rarely changes). */
  private static final int LIMIT_REFRESH_SAMPLES = 12;

  /** A live process as last reported. */
  private record Seen(ProcFiles files, ProcessInfo info, long fdLimit, int limitAge) {}

  private final Path proc;
  private final ProcRows rows;
  private final Map<Long, Seen> seen = new HashMap<>();
  private Set<Long> finishedLastSample = Set.of();
  private ProcKernel kernel;
  private Scope scope;
  private Snoopers snoopers;
  private ProcessLabels labels;

  public ProcProbe() {
    this(Path.of("/proc"), 100);
  }

  ProcProbe(Path proc, long clockTicks) {
    this.proc = proc;
    this.rows = new ProcRows(clockTicks, ProcFiles.pageSize(proc), ProcFiles.bootTime(proc));
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
    scope = context.scope();
    snoopers = context.config().snoopers();
    labels = context.processes();
    kernel = ProcKernel.start(scope, context.config());
  }

  @Override
  public void sample(Consumer<Row> sink) throws IOException {
    // The kernel maps first: a test compares them with schedstat read right before the sample.
    Snapshot k = kernel.read();
    Set<Long> live = new HashSet<>();
    Set<Long> elsewhere = new HashSet<>();
    for (long tgid : ProcFiles.pids(proc)) {
      ProcStats stats = k.procs().get(tgid);
      if (stats != null && stats.exited()) {
        continue;
      }
      if (!scope.includesPid(tgid)) {
        elsewhere.add(tgid);
        continue;
      }
      ProcFiles files = ProcFiles.read(proc, tgid);
      if (files == null || files.zombie()) {
        continue;
      }
      live.add(tgid);
      ProcessInfo info = labels.get(tgid);
      if (!snoopers.matches(tgid, info)) {
        continue;
      }
      Seen before = seen.get(tgid);
      boolean fresh = before == null || before.limitAge() >= LIMIT_REFRESH_SAMPLES;
      long fdLimit = fresh ? ProcFiles.fdLimit(proc, tgid) : before.fdLimit();
      seen.put(tgid, new Seen(files, info, fdLimit, fresh ? 0 : before.limitAge() + 1));
      rows.live(sink, tgid, info, files, fdLimit, stats, k.errors().get(tgid));
    }
    Set<Long> gone = new HashSet<>(seen.keySet());
    gone.addAll(k.procs().keySet());
    gone.removeAll(live);
    gone.removeAll(elsewhere);
    Snapshot fin = kernel.drain(gone);
    for (long tgid : gone) {
      ProcStats stats = fin.procs().getOrDefault(tgid, k.procs().get(tgid));
      finish(
          sink,
          tgid,
          seen.remove(tgid),
          stats,
          fin.errors().getOrDefault(tgid, k.errors().get(tgid)));
    }
    finishedLastSample = gone;
    forgetMovedOut(elsewhere, k);
  }

  /**
   * Processes that left the scope's namespace: no longer reported, and no final row when they exit.
   */
  private void forgetMovedOut(Set<Long> elsewhere, Snapshot k) {
    Set<Long> movedOut = new HashSet<>();
    for (long tgid : elsewhere) {
      if (seen.remove(tgid) != null || k.procs().containsKey(tgid)) {
        movedOut.add(tgid);
      }
    }
    kernel.drain(movedOut);
  }

  /** Emits the final row of a process that is gone, if it is snooped, and forgets its labels. */
  private void finish(
      Consumer<Row> sink, long tgid, Seen last, ProcStats stats, Map<SyscallError, Long> errors) {
    // An event of a dying thread after the previous sample's final row re-created its entry.
    boolean leftover =
        last == null && (stats == null || !stats.exited()) && finishedLastSample.contains(tgid);
    ProcessInfo info = last != null ? last.info() : labels.get(tgid);
    if (info.comm().isEmpty() && stats != null && !stats.exitComm().isEmpty()) {
      info = new ProcessInfo(tgid, stats.exitComm(), info.cmdline(), info.containerId());
    }
    if (!leftover && snoopers.matches(tgid, info)) {
      rows.exited(sink, tgid, info, last == null ? null : last.files(), stats, errors);
    }
    labels.forget(tgid);
  }

  @Override
  public Map<String, Long> health() {
    return kernel == null ? Map.of() : kernel.health();
  }

  @Override
  public void close() {
    if (kernel != null) {
      kernel.close();
      kernel = null;
    }
  }
}
