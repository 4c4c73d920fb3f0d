package io.gala.lab.baseline;

import static org.assertj.core.api.Assertions.assertThat;

import io.gala.lab.recording.Manifest;
import io.gala.lab.series.SeriesSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScaledScoreTest {
  private final Manifest m = SyntheticCase.manifest();

  @Test
  void nSigmaAndBaroAlarmAtTheStepAndRankTheShiftedEntityFirst() {
    SeriesSet s = SyntheticCase.of(20, 7, 1.5, 1); // 30 sd: far above the threshold of 10
    for (ScaledScore b : List.of(ScaledScore.nSigma(), ScaledScore.baro())) {
      List<Alarm> alarms = b.analyse(s, m);
      assertThat(alarms).as(b.name()).isNotEmpty();
      Alarm first = alarms.get(0);
      // Two periods in a row above the threshold: known at the second sample after the onset.
      assertThat(first.atMs()).as(b.name()).isEqualTo(SyntheticCase.ONSET + 5000);
      assertThat(first.rankedAtMs()).isEqualTo(first.atMs() + 30_000);
      assertThat(first.ranking().get(0).entity()).isEqualTo(SyntheticCase.proc(7));
      assertThat(first.ranking()).hasSize(20);
    }
  }

  @Test
  void noAlarmWithoutAFault() {
    SeriesSet s = SyntheticCase.of(20, -1, 0, 2);
    assertThat(ScaledScore.nSigma().analyse(s, m)).isEmpty();
    assertThat(ScaledScore.baro().analyse(s, m)).isEmpty();
  }

  @Test
  void aSmallShiftIsRankedGivenTheOnsetButNotAlarmed() {
    SeriesSet s = SyntheticCase.of(20, 3, 0.2, 3); // 4 sd: below the alarm threshold
    ScaledScore n = ScaledScore.nSigma();
    assertThat(n.analyse(s, m)).isEmpty();
    List<Ranked> r = n.rank(s, m, SyntheticCase.ONSET, SyntheticCase.ONSET + 30_000);
    assertThat(r.get(0).entity()).isEqualTo(SyntheticCase.proc(3));
  }

  @Test
  void baroResistsAnOutlierInTrainingThatBlindsNSigma() {
    SeriesSet s = SyntheticCase.of(5, 2, 0.6, 4);
    // One huge spike in entity 2's training window inflates its standard deviation, not its IQR.
    s.add(SyntheticCase.proc(2), "cpu_seconds/s", SyntheticCase.T0 + 50_000 + 1, 40);
    List<Ranked> baro =
        ScaledScore.baro().rank(s, m, SyntheticCase.ONSET, SyntheticCase.ONSET + 30_000);
    List<Ranked> nsigma =
        ScaledScore.nSigma().rank(s, m, SyntheticCase.ONSET, SyntheticCase.ONSET + 30_000);
    assertThat(baro.get(0).entity()).isEqualTo(SyntheticCase.proc(2));
    assertThat(nsigma.get(0).entity()).isNotEqualTo(SyntheticCase.proc(2));
  }

  @Test
  void seriesConstantInTrainingAreLeftOutAndScaleZeroBecomesOne() {
    SeriesSet s = SyntheticCase.of(3, -1, 0, 5);
    for (long t = SyntheticCase.T0; t <= SyntheticCase.T0 + 300_000; t += 5000) {
      s.add(SyntheticCase.proc(9), "oom_kill_count/s", t, t >= SyntheticCase.ONSET ? 1 : 0);
    }
    assertThat(ScaledScore.nSigma().scaled(s, m))
        .noneMatch(x -> x.metric().equals("oom_kill_count/s"));
    // An IQR of 0 with a non-constant series: scale 1.
    assertThat(ScaledScore.baro().fit(new double[] {0, 0, 0, 0, 0, 0, 0, 5})).containsExactly(0, 1);
  }

  @Test
  void quantilesInterpolateLikeNumpy() {
    double[] v = {1, 2, 3, 4};
    assertThat(ScaledScore.quantile(v, 0.25)).isEqualTo(1.75);
    assertThat(ScaledScore.quantile(v, 0.5)).isEqualTo(2.5);
    assertThat(ScaledScore.quantile(v, 0.75)).isEqualTo(3.25);
    assertThat(ScaledScore.baro().fit(v)).containsExactly(2.5, 1.5);
    assertThat(ScaledScore.nSigma().fit(v)[1])
        .isCloseTo(Math.sqrt(1.25), org.assertj.core.data.Offset.offset(1e-12));
  }

  @Test
  void randomRankingIsSeededAndAlarmsWithItsDetector() {
    SeriesSet s = SyntheticCase.of(20, 7, 1.5, 1);
    RandomRanking r = new RandomRanking(ScaledScore.nSigma());
    List<Alarm> a1 = r.analyse(s, m);
    List<Alarm> a2 = r.analyse(s, m);
    assertThat(a1).isEqualTo(a2);
    assertThat(a1.get(0).atMs()).isEqualTo(ScaledScore.nSigma().analyse(s, m).get(0).atMs());
    assertThat(a1.get(0).ranking()).hasSize(20);
  }
}
