package io.gala.server.ingest;

import java.util.Arrays;

/**
 * One histogram of a record: per-bucket counts (not cumulative) with each bucket's inclusive upper
 * bound in the metric's unit (the last may be +Inf), plus the sum and count of all observations.
 */
public record IngestedHistogram(double[] upperBounds, long[] counts, double sum, long count) {
  public IngestedHistogram {
    if (upperBounds.length != counts.length) {
      throw new IllegalArgumentException(
          "histogram has " + upperBounds.length + " bounds but " + counts.length + " counts");
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IngestedHistogram h
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
    return "IngestedHistogram[count=" + count + ", sum=" + sum + ", buckets=" + counts.length + "]";
  }
}
