package io.gala.server.timeseries;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The recent points of one series, at most one per step (the last sample of a step wins), in a ring
 * that grows on demand up to its capacity, so that short-lived series (closed connections) stay
 * small.
 */
final class Series {
  private static final int INITIAL = 8;
  private final int capacity;
  private long[] times;
  private double[] values;
  private int start;
  private int size;

  Series(int capacity) {
    this.capacity = capacity;
    this.times = new long[Math.min(INITIAL, capacity)];
    this.values = new double[times.length];
  }

  /** Adds a point; false when it is older than the newest point's step (out of order: dropped). */
  synchronized boolean add(long t, double v, long stepMillis) {
    if (size > 0) {
      int last = index(size - 1);
      long lastStep = Math.floorDiv(times[last], stepMillis);
      long step = Math.floorDiv(t, stepMillis);
      if (step < lastStep) {
        return false;
      }
      if (step == lastStep) {
        if (t >= times[last]) {
          times[last] = t;
          values[last] = v;
        }
        return true;
      }
    }
    if (size == times.length && size < capacity) {
      grow();
    }
    if (size == times.length) {
      times[start] = t;
      values[start] = v;
      start = (start + 1) % times.length;
    } else {
      int i = index(size);
      times[i] = t;
      values[i] = v;
      size++;
    }
    return true;
  }

  synchronized List<Point> range(long from, long to) {
    List<Point> out = new ArrayList<>();
    for (int k = 0; k < size; k++) {
      int i = index(k);
      if (times[i] >= from && times[i] <= to) {
        out.add(new Point(times[i], values[i]));
      }
    }
    return out;
  }

  synchronized long lastTime() {
    return size == 0 ? Long.MIN_VALUE : times[index(size - 1)];
  }

  synchronized int points() {
    return size;
  }

  private int index(int k) {
    return (start + k) % times.length;
  }

  private void grow() {
    int n = Math.min(capacity, times.length * 2);
    long[] t = new long[n];
    double[] v = new double[n];
    for (int k = 0; k < size; k++) {
      t[k] = times[index(k)];
      v[k] = values[index(k)];
    }
    times = t;
    values = v;
    start = 0;
  }

  @Override
  public synchronized String toString() {
    return "Series["
        + size
        + "/"
        + capacity
        + " "
        + Arrays.toString(Arrays.copyOf(times, size))
        + "]";
  }
}
