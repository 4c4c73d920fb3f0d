package io.gala.agent.probe;

import java.util.List;
import java.util.Map;

/**
 * A probe's configuration in gala-gopher's shape: sub-probes to run ({@code cmd.probe}), which
 * processes to watch ({@code snoopers}), tunables ({@code params}) and whether it runs ({@code
 * state}). Validated by the control API before a probe sees it.
 */
public record ProbeConfig(
    List<String> subprobes, Snoopers snoopers, Map<String, Object> params, String state) {
  public static final String RUNNING = "running";
  public static final String STOPPED = "stopped";

  public ProbeConfig {
    subprobes = List.copyOf(subprobes);
    params = Map.copyOf(params);
  }

  public static ProbeConfig stopped() {
    return new ProbeConfig(List.of(), Snoopers.NONE, Map.of(), STOPPED);
  }

  public boolean running() {
    return RUNNING.equals(state);
  }

  /** Whether a sub-probe is enabled: all are when none is listed. */
  public boolean subprobe(String name) {
    return subprobes.isEmpty() || subprobes.contains(name);
  }

  /** A numeric param, or the default when unset. */
  public long param(String name, long defaultValue) {
    Object v = params.get(name);
    return v instanceof Number n ? n.longValue() : defaultValue;
  }

  /** A string param, or the default when unset. */
  public String param(String name, String defaultValue) {
    Object v = params.get(name);
    return v == null ? defaultValue : String.valueOf(v);
  }

  /**
   * Processes to watch; empty lists mean every process in scope. Pod ids and custom labels are kept
   * and returned as given (gala-ops compatibility); pods are matched once Kubernetes metadata
   * exists.
   */
  public record Snoopers(
      List<Long> procIds,
      List<ProcName> procNames,
      List<String> containerIds,
      List<String> podIds,
      Map<String, String> customLabels) {
    public static final Snoopers NONE = new Snoopers(List.of(), List.of(), List.of());

    public Snoopers {
      procIds = List.copyOf(procIds);
      procNames = List.copyOf(procNames);
      containerIds = List.copyOf(containerIds);
      podIds = List.copyOf(podIds);
      customLabels = Map.copyOf(customLabels);
    }

    public Snoopers(List<Long> procIds, List<ProcName> procNames, List<String> containerIds) {
      this(procIds, procNames, containerIds, List.of(), Map.of());
    }

    public boolean isEmpty() {
      return procIds.isEmpty() && procNames.isEmpty() && containerIds.isEmpty() && podIds.isEmpty();
    }

    /** Whether a process is snooped: true for all when no snooper is set. */
    public boolean matches(long tgid, ProcessInfo info) {
      if (isEmpty()) {
        return true;
      }
      if (procIds.contains(tgid)) {
        return true;
      }
      if (info == null) {
        return false;
      }
      if (!info.containerId().isEmpty() && containerIds.contains(info.containerId())) {
        return true;
      }
      return procNames.stream().anyMatch(n -> n.matches(info));
    }
  }

  /** A process selector: comm equal, and cmdline containing the given text when not empty. */
  public record ProcName(String comm, String cmdline) {
    boolean matches(ProcessInfo info) {
      return info.comm().equals(comm)
          && (cmdline == null || cmdline.isEmpty() || info.cmdline().contains(cmdline));
    }
  }
}
