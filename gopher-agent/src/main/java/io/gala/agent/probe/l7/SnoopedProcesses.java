package io.gala.agent.probe.l7;

import io.gala.agent.probe.ProbeConfig.Snoopers;
import io.gala.agent.probe.ProcessLabels;
import io.gala.agent.probe.Scope;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.function.LongConsumer;

/**
 * Turns the probe's snoopers (process ids, names, container ids) into the tgids the kernel filters
 * on. Ids are added once; names and containers are matched against /proc at start and at every
 * sample, since such processes may start later (children of snooped processes are added by the
 * kernel).
 */
final class SnoopedProcesses {
  private static final int MAX_KNOWN = 65536;

  private final Snoopers snoopers;
  private final ProcessLabels processes;
  private final Scope scope;
  private final LongConsumer add;
  private final Set<Long> known = new HashSet<>();

  SnoopedProcesses(Snoopers snoopers, ProcessLabels processes, Scope scope, LongConsumer add) {
    this.snoopers = snoopers;
    this.processes = processes;
    this.scope = scope;
    this.add = add;
  }

  /** Whether the kernel should filter on processes at all. */
  boolean active() {
    return !snoopers.isEmpty();
  }

  /** Adds the processes that match now and were not added before. */
  void refresh() {
    for (long pid : snoopers.procIds()) {
      offer(pid);
    }
    if (snoopers.procNames().isEmpty() && snoopers.containerIds().isEmpty()) {
      return;
    }
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path d : dirs) {
        long pid = Long.parseLong(d.getFileName().toString());
        if (!known.contains(pid)
            && snoopers.matches(pid, processes.get(pid))
            && scope.includesPid(pid)) {
          offer(pid);
        }
      }
    } catch (IOException | NumberFormatException e) {
      // /proc changes under us; the next sample scans again
    }
  }

  private void offer(long pid) {
    if (known.size() > MAX_KNOWN) {
      known.clear(); // pids of exited processes pile up; adding a live one again is harmless
    }
    if (known.add(pid)) {
      add.accept(pid);
    }
  }
}
