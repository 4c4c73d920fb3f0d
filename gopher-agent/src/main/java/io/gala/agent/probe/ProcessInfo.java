package io.gala.agent.probe;

/** Descriptive labels of a process, as gala-ops attaches them to every tgid-keyed record. */
public record ProcessInfo(long tgid, String comm, String cmdline, String containerId) {
  public static ProcessInfo unknown(long tgid) {
    return new ProcessInfo(tgid, "", "", "");
  }
}
