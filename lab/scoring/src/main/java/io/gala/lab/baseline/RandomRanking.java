package io.gala.lab.baseline;

import io.gala.lab.recording.Manifest;
import io.gala.lab.series.SeriesSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The floor: alarms when the given detector alarms, but ranks the entities that detector could
 * score in a random order, seeded by the manifest's seed and case id (the same order on every
 * replay).
 */
public final class RandomRanking implements Baseline {
  private final ScaledScore detector;

  public RandomRanking(ScaledScore detector) {
    this.detector = detector;
  }

  @Override
  public String name() {
    return "random";
  }

  @Override
  public List<Alarm> analyse(SeriesSet set, Manifest m) {
    List<Alarm> out = new ArrayList<>();
    for (Alarm a : detector.analyse(set, m)) {
      out.add(new Alarm(a.atMs(), a.rankedAtMs(), shuffled(set, m, a.atMs())));
    }
    return out;
  }

  @Override
  public List<Ranked> rank(SeriesSet set, Manifest m, long fromMs, long toMs) {
    return shuffled(set, m, fromMs);
  }

  private List<Ranked> shuffled(SeriesSet set, Manifest m, long salt) {
    List<Ranked> all = new ArrayList<>();
    List<String> seen = new ArrayList<>();
    for (ScaledScore.Scaled s : detector.scaled(set, m)) {
      if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(s.entity().id())) {
        seen.add(s.entity().id());
        all.add(new Ranked(s.entity().ref(), 0, ""));
      }
    }
    long seed = m.seed() * 1_000_003L + m.caseId().hashCode() * 31L + salt;
    Collections.shuffle(all, new Random(seed));
    return all;
  }
}
