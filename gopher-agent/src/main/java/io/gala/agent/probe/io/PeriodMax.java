package io.gala.agent.probe.io;

import io.gala.agent.table.LogLinearBuckets;
import java.util.HashMap;
import java.util.Map;

/**
 * The largest value observed since the previous sample, per entity, read from a cumulative kernel
 * histogram: the upper bound of the highest slot whose count grew. Exact to one slot (within 12.5
 * %, never below the truth), and race-free, unlike a max the kernel would have to reset.
 */
final class PeriodMax<K> {
  private final Map<K, long[]> previous = new HashMap<>();

  /**
   * The max raw value of the period, 0 when nothing was observed; remembers slots for the next
   * call.
   */
  long update(K key, long[] slots) {
    long[] before = previous.put(key, slots.clone());
    for (int s = slots.length - 1; s >= 0; s--) {
      if (slots[s] > (before == null ? 0 : before[s])) {
        return s == LogLinearBuckets.SLOTS - 1
            ? LogLinearBuckets.lowerBound(s)
            : LogLinearBuckets.upperBound(s);
      }
    }
    return 0;
  }

  void forget(K key) {
    previous.remove(key);
  }
}
