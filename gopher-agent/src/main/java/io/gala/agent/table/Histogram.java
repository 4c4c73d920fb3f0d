package io.gala.agent.table;

import java.util.Arrays;

/**
 * A distribution: per-bucket counts (not cumulative) with each bucket's inclusive upper bound in
 * the metric's unit, plus the sum and count of all observations. The last bound may be +Inf.
 */
public record Histogram(double[] upperBounds, long[] counts, double sum, long count) {
  public Histogram {
    if (upperBounds.length != counts.length) {
      throw new IllegalArgumentException(
          "histogram has " + upperBounds.length + " bounds but " + counts.length + " counts");
    }
  }

  /** The value below which the given fraction of observations fall, at the bucket's upper bound. */
  public double quantile(double q) {
    long total = Arrays.stream(counts).sum();
    if (total == 0) {
      return Double.NaN;
    }
    long rank = (long) Math.ceil(q * total);
    long seen = 0;
    for (int i = 0; i < counts.length; i++) {
      seen += counts[i];
      if (seen >= rank) {
        return upperBounds[i];
      }
    }
    return upperBounds[upperBounds.length - 1];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Histogram h
        && Arrays.equals(upperBounds, h.upperBounds)
        && Arrays.equals(counts, h.counts)
        && sum == h.sum
        && count == h.count;
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(counts) + Long.hashCode(count);
  }

  @Override
  public String toString() {
    return "Histogram[count=" + count + ", sum=" + sum + ", buckets=" + counts.length + "]";
  }
}
