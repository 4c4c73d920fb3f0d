package io.gala.lab.scoring;

import io.gala.lab.baseline.Alarm;
import io.gala.lab.baseline.Baseline;
import io.gala.lab.baseline.Ranked;
import io.gala.lab.recording.Manifest;
import io.gala.lab.series.SeriesSet;
import java.util.List;

/**
 * Scores one baseline on one case against the ground truth. The first alarm from the onset to one
 * sample period after the fault's end is the detection; its ranking gives AC@k; alarms in the
 * fault-free time (after the training window and before the onset, or the whole watched time of a
 * fault-free run) are false alarms. Alarms during the recovery are neither.
 */
public final class Scorer {
  private Scorer() {}

  public static CaseScore score(Baseline b, SeriesSet series, Manifest m, GroundTruth truth) {
    List<Alarm> alarms = b.analyse(series, m);
    long ffEnd = truth.faultFree() ? m.endMs() : truth.onsetMs();
    long faultFreeMs = Math.max(0, ffEnd - m.trainEndMs());
    int falseAlarms = 0;
    Alarm detecting = null;
    for (Alarm a : alarms) {
      if (a.atMs() >= m.trainEndMs() && a.atMs() < ffEnd) {
        falseAlarms++;
      } else if (!truth.faultFree()
          && detecting == null
          && a.atMs() >= truth.onsetMs()
          && a.atMs() <= truth.endMs() + m.samplePeriodMs()) {
        detecting = a;
      }
    }
    if (truth.faultFree()) {
      return new CaseScore(
          b.name(),
          truth.caseId(),
          truth.app(),
          truth.fault(),
          false,
          0,
          0,
          -1,
          -1,
          falseAlarms,
          faultFreeMs,
          "");
    }
    int rank = detecting == null ? 0 : rankOf(detecting.ranking(), truth);
    long window = truth.endMs() - truth.onsetMs();
    int onsetRank =
        rankOf(
            b.rank(series, m, truth.onsetMs(), truth.onsetMs() + Math.min(window, 30_000)), truth);
    long ttd = detecting == null ? -1 : detecting.atMs() - truth.onsetMs();
    long ttrc = rank == 1 ? detecting.rankedAtMs() - truth.onsetMs() : -1;
    String top =
        detecting == null || detecting.ranking().isEmpty()
            ? ""
            : detecting.ranking().get(0).entity().id() + " " + detecting.ranking().get(0).metric();
    return new CaseScore(
        b.name(),
        truth.caseId(),
        truth.app(),
        truth.fault(),
        truth.scored(),
        rank,
        onsetRank,
        ttd,
        ttrc,
        falseAlarms,
        faultFreeMs,
        top);
  }

  /** 1-based place of the first accepted entity, 0 when none is ranked. */
  static int rankOf(List<Ranked> ranking, GroundTruth truth) {
    for (int i = 0; i < ranking.size(); i++) {
      if (truth.accepts(ranking.get(i).entity())) {
        return i + 1;
      }
    }
    return 0;
  }
}
