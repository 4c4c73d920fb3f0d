package io.gala.agent.event;

import java.util.Map;

/**
 * Where the checks read their thresholds: the params of a probe's current configuration ({@code
 * report_event}, {@code drops_thr}, {@code latency_thr}, {@code res_upper_thr}), as set through
 * probe control. The agent wires it to the probe manager; tests give fixed maps.
 */
@FunctionalInterface
public interface ProbeParams {
  /**
   * The params of a probe by gala-ops name (tcp, socket, io, proc, baseinfo); empty when unknown or
   * stopped.
   */
  Map<String, Object> of(String probe);

  /** Fixed params per probe. */
  static ProbeParams fixed(Map<String, Map<String, Object>> byProbe) {
    return probe -> byProbe.getOrDefault(probe, Map.of());
  }
}
