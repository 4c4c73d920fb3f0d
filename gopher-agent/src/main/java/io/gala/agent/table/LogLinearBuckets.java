package io.gala.agent.table;

/**
 * Turns the kernel's log-linear histogram slots ({@code bits.bpf.h hist_slot}, {@code hist.h}) into
 * a {@link Histogram}: the one place where slot numbers become bucket bounds. Slots 0..7 hold the
 * values 0..7 exactly; after that each power of two 2^p is split into 8 equal sub-slots.
 */
public final class LogLinearBuckets {
  /** Mirrors HIST_SUB_BITS, HIST_SUB and HIST_SLOTS of hist.h. */
  public static final int SUB_BITS = 3;

  public static final int SUB = 1 << SUB_BITS;
  public static final int SLOTS = 256;

  /** Bytes of struct hist: slots, sum, count. */
  public static final int STRUCT_SIZE = SLOTS * 8 + 16;

  private LogLinearBuckets() {}

  /** The smallest raw value that falls into slot s. */
  public static long lowerBound(int s) {
    if (s < SUB) {
      return s;
    }
    int p = s / SUB - 1 + SUB_BITS;
    long sub = s % SUB;
    return (1L << p) + (sub << (p - SUB_BITS));
  }

  /** The largest raw value that falls into slot s (the last slot is open-ended). */
  public static long upperBound(int s) {
    return s == SLOTS - 1 ? Long.MAX_VALUE : lowerBound(s + 1) - 1;
  }

  /**
   * The slot the kernel puts value v in; used by tests and by Java-side histograms of the same
   * shape.
   */
  public static int slot(long v) {
    if (v < SUB) {
      return (int) Math.max(v, 0);
    }
    int p = 63 - Long.numberOfLeadingZeros(v);
    long sub = (v >>> (p - SUB_BITS)) & (SUB - 1);
    long slot = (long) (p - SUB_BITS + 1) * SUB + sub;
    return (int) Math.min(slot, SLOTS - 1);
  }

  /**
   * Which kernel slots become exported buckets: values below {@code minRaw} share the first bucket,
   * values above {@code maxRaw} the +Inf bucket, and {@code perOctave} (1, 2, 4 or 8) buckets per
   * power of two in between. A fixed set per metric keeps series stable and sums across series
   * correct.
   */
  public record Range(long minRaw, long maxRaw, int perOctave, double scale) {
    public Range {
      if (perOctave != 1 && perOctave != 2 && perOctave != 4 && perOctave != 8) {
        throw new IllegalArgumentException("perOctave must be 1, 2, 4 or 8, not " + perOctave);
      }
    }

    /** Nanoseconds exported in seconds, 1 us to about 4 s. */
    public static Range nanosToSeconds(int perOctave) {
      return new Range(1_000, 4_294_967_296L, perOctave, 1e9);
    }

    /** Microseconds exported in seconds, 1 us to about 4 s. */
    public static Range microsToSeconds(int perOctave) {
      return new Range(1, 4_194_304, perOctave, 1e6);
    }
  }

  /** Builds the exported histogram of raw slot counts over a fixed {@link Range}. */
  public static Histogram toHistogram(long[] slots, long rawSum, long count, Range range) {
    int step = SUB / range.perOctave();
    int first = slot(range.minRaw());
    int last = Math.min(slot(range.maxRaw()), SLOTS - 2);
    java.util.List<double[]> buckets = new java.util.ArrayList<>();
    long acc = 0;
    for (int s = 0; s < slots.length; s++) {
      acc += slots[s];
      boolean boundary = s >= first && s <= last && (s < SUB || (s + 1) % step == 0 || s == last);
      if (boundary) {
        buckets.add(new double[] {(upperBound(s) + 1) / range.scale(), acc});
        acc = 0;
      }
    }
    buckets.add(new double[] {Double.POSITIVE_INFINITY, acc});
    double[] bounds = new double[buckets.size()];
    long[] counts = new long[buckets.size()];
    for (int i = 0; i < bounds.length; i++) {
      bounds[i] = buckets.get(i)[0];
      counts[i] = (long) buckets.get(i)[1];
    }
    return new Histogram(bounds, counts, rawSum / range.scale(), count);
  }

  /** Reads a {@code struct hist} at offset of a native value. */
  public static Histogram read(jnr.ffi.Pointer p, long offset, Range range) {
    long[] slots = new long[SLOTS];
    p.get(offset, slots, 0, SLOTS);
    long sum = p.getLong(offset + SLOTS * 8L);
    long count = p.getLong(offset + SLOTS * 8L + 8);
    return toHistogram(slots, sum, count, range);
  }
}
