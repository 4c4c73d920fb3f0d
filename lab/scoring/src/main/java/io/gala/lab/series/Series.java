package io.gala.lab.series;

import java.util.Arrays;

/**
 * One metric of one entity over time: sample times (ms, ascending) and values. Grows while it is
 * built.
 */
public final class Series {
  private long[] times = new long[16];
  private double[] values = new double[16];
  private int size;

  void add(long t, double v) {
    if (size == times.length) {
      times = Arrays.copyOf(times, size * 2);
      values = Arrays.copyOf(values, size * 2);
    }
    times[size] = t;
    values[size] = v;
    size++;
  }

  /** A series of given points, for tests and synthetic cases. */
  public static Series of(long[] t, double[] v) {
    Series s = new Series();
    for (int i = 0; i < t.length; i++) {
      s.add(t[i], v[i]);
    }
    return s;
  }

  public int size() {
    return size;
  }

  public long time(int i) {
    return times[i];
  }

  public double value(int i) {
    return values[i];
  }

  /** The values with fromMs &lt;= t &lt; toMs. */
  public double[] valuesBetween(long fromMs, long toMs) {
    int n = 0;
    double[] out = new double[size];
    for (int i = 0; i < size; i++) {
      if (times[i] >= fromMs && times[i] < toMs) {
        out[n++] = values[i];
      }
    }
    return Arrays.copyOf(out, n);
  }
}
