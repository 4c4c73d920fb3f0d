package io.gala.agent.probe.l7.trace;

import io.gala.agent.probe.l7.SlowRequest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The slowest requests of the last few sample periods, newest period first, for the REST API.
 * Bounded twice: at most {@code maxPeriods} periods, at most {@code maxPerPeriod} requests in each
 * (the probe's own bound is its {@code slow_requests} param; this one holds whatever the probe
 * hands over).
 */
final class SlowRequestLog {
  /** One sample period: when it ended (epoch ms) and its slowest requests, slowest first. */
  record Period(long timestampMillis, List<SlowRequest> requests) {}

  private final int maxPeriods;
  private final int maxPerPeriod;
  private final ArrayDeque<Period> periods = new ArrayDeque<>();

  SlowRequestLog(int maxPeriods, int maxPerPeriod) {
    if (maxPeriods < 1 || maxPerPeriod < 1) {
      throw new IllegalArgumentException(
          "slow-request log needs at least one period of one request, not "
              + maxPeriods
              + " periods of "
              + maxPerPeriod);
    }
    this.maxPeriods = maxPeriods;
    this.maxPerPeriod = maxPerPeriod;
  }

  synchronized void add(long timestampMillis, List<SlowRequest> requests) {
    List<SlowRequest> kept =
        requests.size() > maxPerPeriod ? requests.subList(0, maxPerPeriod) : requests;
    periods.addFirst(new Period(timestampMillis, List.copyOf(kept)));
    while (periods.size() > maxPeriods) {
      periods.removeLast();
    }
  }

  /** Newest first. */
  synchronized List<Period> periods() {
    return new ArrayList<>(periods);
  }
}
