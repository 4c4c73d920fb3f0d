package io.gala.agent;

import io.gala.agent.probe.ProbeSpec;
import java.util.List;

/** Every probe the agent can run, by gala-ops name. Adding a probe = one line here. */
final class ProbeCatalog {
  private ProbeCatalog() {}

  static List<ProbeSpec> all() {
    return List.of();
  }
}
