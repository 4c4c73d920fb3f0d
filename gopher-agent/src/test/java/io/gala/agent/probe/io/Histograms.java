package io.gala.agent.probe.io;

import io.gala.agent.table.Histogram;

/**
 * Test arithmetic on exported histograms: the difference of two samples, interpolated quantiles.
 */
final class Histograms {
  private Histograms() {}

  static Histogram minus(Histogram after, Histogram before) {
    if (before == null) {
      return after;
    }
    long[] counts = after.counts().clone();
    for (int i = 0; i < counts.length; i++) {
      counts[i] -= before.counts()[i];
    }
    return new Histogram(
        after.upperBounds(), counts, after.sum() - before.sum(), after.count() - before.count());
  }

  /**
   * Quantile with linear interpolation inside the bucket it falls in (Prometheus
   * histogram_quantile).
   */
  static double quantile(Histogram h, double q) {
    long total = 0;
    for (long c : h.counts()) {
      total += c;
    }
    double rank = q * total;
    long seen = 0;
    for (int i = 0; i < h.counts().length; i++) {
      long c = h.counts()[i];
      if (c > 0 && seen + c >= rank) {
        double lo = i == 0 ? 0 : h.upperBounds()[i - 1];
        double hi = h.upperBounds()[i];
        if (Double.isInfinite(hi)) {
          return lo;
        }
        return lo + (hi - lo) * (rank - seen) / c;
      }
      seen += c;
    }
    return Double.NaN;
  }
}
