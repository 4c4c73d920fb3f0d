package io.gala.lab.baseline;

import io.gala.lab.recording.Manifest;
import io.gala.lab.series.SeriesSet;
import java.util.List;

/**
 * A root-cause algorithm replayed over a recorded case. It reads the series and the manifest (the
 * protocol's fault-free training window), never the ground truth; it must be deterministic (seeded
 * by the manifest, no wall clock), so that a replay gives the same scores every time.
 */
public interface Baseline {
  String name();

  /** Alarms after the training window, each with its ranking, in time order. */
  List<Alarm> analyse(SeriesSet series, Manifest manifest);

  /**
   * The ranking this baseline gives for a window it is told about (the "onset given" protocol of
   * RCAEval).
   */
  List<Ranked> rank(SeriesSet series, Manifest manifest, long fromMs, long toMs);

  /** The three baselines with their default settings: random, N-Sigma, BARO. */
  static List<Baseline> defaults() {
    ScaledScore nsigma = ScaledScore.nSigma();
    return List.of(new RandomRanking(nsigma), nsigma, ScaledScore.baro());
  }
}
