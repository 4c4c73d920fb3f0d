package io.gala.lab.baseline;

import io.gala.lab.recording.Manifest;
import io.gala.lab.series.EntityRef;
import io.gala.lab.series.SeriesSet;
import java.util.Map;
import java.util.Random;

/**
 * A synthetic case with a known answer: {@code entities} processes on lab-db, each with a CPU
 * metric of seeded Gaussian noise (mean 1, sd 0.05) every 5 s for 300 s; training 20..80 s; from
 * {@code ONSET} on, the process {@code faulty} (if &ge; 0) has its CPU metric shifted by {@code
 * shift}.
 */
public final class SyntheticCase {
  public static final long T0 = 1_700_000_000_000L;
  public static final long ONSET = T0 + 120_000;
  public static final long END = T0 + 180_000;

  private SyntheticCase() {}

  public static Manifest manifest() {
    return new Manifest(
        "syn",
        "redis",
        42,
        "test",
        T0,
        T0 + 20_000,
        T0 + 80_000,
        T0 + 300_000,
        5000,
        "records.bin",
        "events.bin");
  }

  public static EntityRef proc(int i) {
    return EntityRef.of(
        "lab-db", "proc", Map.of("tgid", Integer.toString(1000 + i)), Map.of("comm", "p" + i));
  }

  public static SeriesSet of(int entities, int faulty, double shift, long seed) {
    SeriesSet s = SeriesSet.empty();
    Random r = new Random(seed);
    for (long t = T0; t <= T0 + 300_000; t += 5000) {
      for (int i = 0; i < entities; i++) {
        double v = 1 + 0.05 * r.nextGaussian();
        if (i == faulty && t >= ONSET && t < END) {
          v += shift;
        }
        s.add(proc(i), "cpu_seconds/s", t, v);
      }
    }
    return s;
  }
}
