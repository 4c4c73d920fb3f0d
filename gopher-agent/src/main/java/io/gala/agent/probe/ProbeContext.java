package io.gala.agent.probe;

import java.util.Objects;

/**
 * What a probe is started with: who this node is, what part of the machine it watches, the probe's
 * own configuration, and shared process metadata (comm, cmdline, container id).
 */
public record ProbeContext(
    Identity identity, Scope scope, ProbeConfig config, ProcessLabels processes) {
  public ProbeContext {
    Objects.requireNonNull(identity, "identity");
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(processes, "processes");
  }
}
