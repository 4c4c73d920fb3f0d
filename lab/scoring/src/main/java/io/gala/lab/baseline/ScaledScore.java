package io.gala.lab.baseline;

import io.gala.lab.recording.Manifest;
import io.gala.lab.series.Series;
import io.gala.lab.series.SeriesSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * N-Sigma and BARO, which differ only in how a metric is scaled against the fault-free training
 * window: N-Sigma by mean and standard deviation, BARO by median and inter-quartile range (its
 * RobustScaler, Pham et al., "BARO: Robust Root Cause Analysis for Microservices via Multivariate
 * Bayesian Online Change Point Detection", FSE 2024). As in RCAEval's implementations of both, a
 * series constant in the training window is left out (its preprocessing drops constant columns of
 * the normal window), and a scale of 0 that remains (an IQR of 0) is taken as 1, as scikit-learn's
 * scalers do. Unlike them, the deviation is absolute (a drop counts as much as a rise: CPU time
 * falls under a CPU quota), as the lab's issue defines the scores. The platform's own health tables
 * ({@code agent_*}) are not candidates.
 *
 * <p>Detection: the case is cut into sample periods after the training window; a period's score is
 * the largest |x - center| / scale of any series; {@code persist} periods in a row above {@code
 * threshold} raise an alarm, after which the detector is quiet for {@code refractoryMs}. Ranking:
 * {@code rankDelayMs} after the alarm, every entity gets the largest scaled deviation of its series
 * since the alarm's first period, and entities are ranked by it (ties by entity id). BARO's
 * change-point detector (multivariate BOCPD) is replaced here by this threshold detector, the same
 * for both, so that only the scaling differs.
 */
public final class ScaledScore implements Baseline {
  /** Fewest training points a series needs to be scaled; fewer and it is left out. */
  static final int MIN_TRAIN = 5;

  private final String name;
  private final boolean robust;
  private final double threshold;
  private final int persist;
  private final long rankDelayMs;
  private final long refractoryMs;

  ScaledScore(
      String name,
      boolean robust,
      double threshold,
      int persist,
      long rankDelayMs,
      long refractoryMs) {
    this.name = name;
    this.robust = robust;
    this.threshold = threshold;
    this.persist = persist;
    this.rankDelayMs = rankDelayMs;
    this.refractoryMs = refractoryMs;
  }

  public static ScaledScore nSigma() {
    return new ScaledScore("N-Sigma", false, 10, 2, 30_000, 30_000);
  }

  public static ScaledScore baro() {
    return new ScaledScore("BARO", true, 10, 2, 30_000, 30_000);
  }

  /** The same algorithm with other detection settings. */
  public ScaledScore with(double threshold, int persist, long rankDelayMs, long refractoryMs) {
    return new ScaledScore(name, robust, threshold, persist, rankDelayMs, refractoryMs);
  }

  @Override
  public String name() {
    return name;
  }

  /** One series scaled against its training window. */
  record Scaled(
      SeriesSet.Entity entity, String metric, Series series, double center, double scale) {
    double z(int i) {
      return Math.abs(series.value(i) - center) / scale;
    }
  }

  /** Center and scale of training values: {mean, std} or {median, IQR}; a scale of 0 becomes 1. */
  double[] fit(double[] train) {
    double center;
    double scale;
    if (robust) {
      double[] s = train.clone();
      Arrays.sort(s);
      center = quantile(s, 0.5);
      scale = quantile(s, 0.75) - quantile(s, 0.25);
    } else {
      double sum = 0;
      for (double v : train) {
        sum += v;
      }
      center = sum / train.length;
      double ss = 0;
      for (double v : train) {
        ss += (v - center) * (v - center);
      }
      scale = Math.sqrt(ss / train.length);
    }
    return new double[] {center, scale > 0 && Double.isFinite(scale) ? scale : 1};
  }

  /** Linear interpolation between order statistics (numpy's default), on sorted values. */
  static double quantile(double[] sorted, double q) {
    double pos = q * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
  }

  List<Scaled> scaled(SeriesSet set, Manifest m) {
    List<Scaled> out = new ArrayList<>();
    for (SeriesSet.Entity e : set.entities()) {
      if (e.ref().entity().startsWith("agent_")) {
        continue;
      }
      e.metrics()
          .forEach(
              (metric, s) -> {
                double[] train = s.valuesBetween(m.trainStartMs(), m.trainEndMs());
                if (train.length >= MIN_TRAIN && !constant(train)) {
                  double[] cs = fit(train);
                  out.add(new Scaled(e, metric, s, cs[0], cs[1]));
                }
              });
    }
    return out;
  }

  private static boolean constant(double[] v) {
    for (double x : v) {
      if (x != v[0]) {
        return false;
      }
    }
    return true;
  }

  @Override
  public List<Alarm> analyse(SeriesSet set, Manifest m) {
    List<Scaled> all = scaled(set, m);
    long period = m.samplePeriodMs();
    long last = m.trainEndMs();
    for (Scaled s : all) {
      if (s.series().size() > 0) {
        last = Math.max(last, s.series().time(s.series().size() - 1));
      }
    }
    int periods = (int) ((last - m.trainEndMs()) / period) + 1;
    double[] score = new double[periods];
    long[] seen =
        new long[periods]; // the latest sample time in the period: when its score is known
    for (Scaled s : all) {
      for (int i = 0; i < s.series().size(); i++) {
        long t = s.series().time(i);
        if (t < m.trainEndMs()) {
          continue;
        }
        int p = (int) ((t - m.trainEndMs()) / period);
        score[p] = Math.max(score[p], s.z(i));
        seen[p] = Math.max(seen[p], t);
      }
    }
    List<Alarm> alarms = new ArrayList<>();
    int run = 0;
    long quietUntil = Long.MIN_VALUE;
    for (int p = 0; p < periods; p++) {
      run = score[p] > threshold ? run + 1 : 0;
      if (run >= persist && seen[p] >= quietUntil) {
        long at = seen[p];
        long from = m.trainEndMs() + (long) (p - persist + 1) * period;
        alarms.add(new Alarm(at, at + rankDelayMs, rank(all, from, at + rankDelayMs)));
        quietUntil = at + refractoryMs;
        run = 0;
      }
    }
    return alarms;
  }

  @Override
  public List<Ranked> rank(SeriesSet set, Manifest m, long fromMs, long toMs) {
    return rank(scaled(set, m), fromMs, toMs);
  }

  private static List<Ranked> rank(List<Scaled> all, long fromMs, long toMs) {
    java.util.Map<String, Ranked> best = new java.util.TreeMap<>();
    for (Scaled s : all) {
      for (int i = 0; i < s.series().size(); i++) {
        long t = s.series().time(i);
        if (t < fromMs || t > toMs) {
          continue;
        }
        double z = s.z(i);
        Ranked r = best.get(s.entity().id());
        if (r == null || z > r.score()) {
          best.put(s.entity().id(), new Ranked(s.entity().ref(), z, s.metric()));
        }
      }
    }
    List<Ranked> out = new ArrayList<>(best.values());
    out.sort(
        Comparator.comparingDouble(Ranked::score).reversed().thenComparing(r -> r.entity().id()));
    return out;
  }
}
