package io.gala.agent.probe;

/**
 * A probe's configuration and how it is doing: running, stopped, or failed with the reason (shown
 * by {@code GET /<probe>} as {@code "state": "failed", "reason": ...}).
 */
public record ProbeState(ProbeConfig config, Status status, String reason) {
  /** Where a probe is in its life. */
  public enum Status {
    RUNNING,
    STOPPED,
    FAILED;

    public String json() {
      return name().toLowerCase();
    }
  }
}
