package io.gala.server.ingest;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Warnings from the hot path, at most one per key per interval; the next one says how many were
 * suppressed in between, so that nothing is silently lost and a flood of garbage cannot fill the
 * log.
 */
public final class RateLimitedLog {
  private final Logger log;
  private final long intervalMillis;
  private final Map<String, long[]> last = new ConcurrentHashMap<>();
  private final AtomicLong suppressed = new AtomicLong();

  public RateLimitedLog(Logger log, long intervalMillis) {
    this.log = log;
    this.intervalMillis = intervalMillis;
  }

  /** Logs the message unless one with the same key was logged less than an interval ago. */
  public void warn(String key, String message) {
    long now = System.currentTimeMillis();
    long[] slot = last.computeIfAbsent(key, k -> new long[] {Long.MIN_VALUE / 2, 0});
    synchronized (slot) {
      if (now - slot[0] < intervalMillis) {
        slot[1]++;
        suppressed.incrementAndGet();
        return;
      }
      long skipped = slot[1];
      slot[0] = now;
      slot[1] = 0;
      log.warn(skipped == 0 ? message : message + " (" + skipped + " similar suppressed)");
    }
  }

  /** Messages suppressed so far, over all keys. */
  public long suppressed() {
    return suppressed.get();
  }
}
