package io.gala.agent.probe.baseinfo;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Remembers the previous reading of cumulative counters per entity, so that per-period figures
 * (rates, awaits, utilisation) come from the difference of two samples. Bounded by the entities
 * that exist: callers {@link #retain} the ones they saw.
 */
final class Counters {
  /** Differences of each counter and the milliseconds between the two readings. */
  record Delta(long[] d, long millis) {}

  private record Reading(long[] values, long millis) {}

  private final Map<String, Reading> previous = new HashMap<>();

  /**
   * The change since this entity's previous reading; null on its first reading, and when a counter
   * went backwards (device re-created under the same name, 32-bit counter wrapped): the next one
   * has a delta.
   */
  Delta delta(String entity, long[] now, long nowMillis) {
    Reading before = previous.put(entity, new Reading(now.clone(), nowMillis));
    if (before == null || before.values.length != now.length || nowMillis <= before.millis) {
      return null;
    }
    long[] d = new long[now.length];
    for (int i = 0; i < now.length; i++) {
      d[i] = now[i] - before.values[i];
      if (d[i] < 0) {
        return null;
      }
    }
    return new Delta(d, nowMillis - before.millis);
  }

  /** Forgets entities not in the set (removed devices, unmounted file systems). */
  void retain(Set<String> entities) {
    previous.keySet().retainAll(entities);
  }
}
