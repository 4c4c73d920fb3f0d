package io.gala.lab.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.gala.lab.baseline.Alarm;
import io.gala.lab.baseline.Baseline;
import io.gala.lab.baseline.Ranked;
import io.gala.lab.recording.Manifest;
import io.gala.lab.series.EntityRef;
import io.gala.lab.series.SeriesSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ScorerTest {
  static final long T0 = 1_700_000_000_000L;
  static final Manifest M =
      new Manifest(
          "c1",
          "redis",
          1,
          "test",
          T0,
          T0 + 20_000,
          T0 + 80_000,
          T0 + 300_000,
          5000,
          "records.bin",
          "events.bin");
  static final EntityRef REDIS =
      EntityRef.of("lab-db", "proc", Map.of("tgid", "10"), Map.of("comm", "redis-server"));
  static final EntityRef PG =
      EntityRef.of("lab-db", "proc", Map.of("tgid", "11"), Map.of("comm", "postgres"));
  static final EntityRef LINK = EntityRef.of("lab-cli", "tcp_link", Map.of("tgid", "12"), Map.of());
  static final EntityRef NIC = EntityRef.of("lab-db", "nic", Map.of("dev_name", "eth0"), Map.of());

  static GroundTruth truth(String fault, long onset, long end) {
    return new GroundTruth(
        "c1",
        "redis",
        fault,
        "cpu",
        "10",
        "lab-db",
        onset,
        end,
        List.of("proc", "container"),
        fault.equals("none") ? null : Pattern.compile("redis-server"),
        fault.equals("none") ? "fault-free" : "yes",
        9);
  }

  /** A baseline that says what it is told: fixed alarms, a fixed ranking for any window. */
  record Scripted(List<Alarm> alarms, List<Ranked> onsetRanking) implements Baseline {
    @Override
    public String name() {
      return "scripted";
    }

    @Override
    public List<Alarm> analyse(SeriesSet series, Manifest manifest) {
      return alarms;
    }

    @Override
    public List<Ranked> rank(SeriesSet series, Manifest manifest, long fromMs, long toMs) {
      return onsetRanking;
    }
  }

  static List<Ranked> ranking(EntityRef... e) {
    List<Ranked> out = new ArrayList<>();
    for (EntityRef x : e) {
      out.add(new Ranked(x, 1, "m"));
    }
    return out;
  }

  @Test
  void firstAlarmInTheFaultDetectsEarlierOnesAreFalseAlarms() {
    long onset = T0 + 100_000;
    Scripted b =
        new Scripted(
            List.of(
                new Alarm(
                    T0 + 85_000,
                    T0 + 115_000,
                    ranking(NIC)), // after training, before the onset: false
                new Alarm(
                    onset + 10_000,
                    onset + 40_000,
                    ranking(LINK, PG, REDIS)), // detection, redis third
                new Alarm(onset + 20_000, onset + 50_000, ranking(REDIS))),
            ranking(REDIS));
    CaseScore c = Scorer.score(b, SeriesSet.empty(), M, truth("cpu_quota", onset, onset + 60_000));
    assertThat(c.falseAlarms()).isEqualTo(1);
    assertThat(c.faultFreeMs()).isEqualTo(20_000);
    assertThat(c.ttdMs()).isEqualTo(10_000);
    assertThat(c.rank()).isEqualTo(3);
    assertThat(c.ttrcMs()).isEqualTo(-1); // not first: no time to root cause
    assertThat(c.onsetRank()).isEqualTo(1);
    assertThat(c.within(3)).isTrue();
    assertThat(c.within(2)).isFalse();
  }

  @Test
  void theTargetProcessMustMatchNotAnyProcessOnTheHost() {
    GroundTruth t = truth("cpu_quota", T0 + 100_000, T0 + 160_000);
    assertThat(t.accepts(REDIS)).isTrue();
    assertThat(t.accepts(PG)).isFalse(); // a process, but not the one the fault was aimed at
    assertThat(t.accepts(NIC)).isFalse(); // wrong type
    assertThat(
            t.accepts(
                EntityRef.of(
                    "lab-cli", "proc", Map.of("tgid", "10"), Map.of("comm", "redis-server"))))
        .isFalse(); // wrong machine
    assertThat(
            t.accepts(
                EntityRef.of(
                    "lab-db", "proc_io", Map.of("tgid", "10"), Map.of("comm", "redis-server"))))
        .isTrue(); // type by prefix
  }

  @Test
  void noAlarmDuringTheFaultIsAMissAndAFaultFreeRunCountsEveryAlarm() {
    long onset = T0 + 100_000;
    Scripted quiet = new Scripted(List.of(), ranking(PG, REDIS));
    CaseScore miss =
        Scorer.score(quiet, SeriesSet.empty(), M, truth("cpu_quota", onset, onset + 60_000));
    assertThat(miss.rank()).isZero();
    assertThat(miss.ttdMs()).isEqualTo(-1);
    assertThat(miss.onsetRank()).isEqualTo(2);

    Scripted noisy =
        new Scripted(
            List.of(
                new Alarm(T0 + 90_000, T0 + 120_000, ranking(NIC)),
                new Alarm(T0 + 200_000, T0 + 230_000, ranking(NIC))),
            ranking(NIC));
    CaseScore ff = Scorer.score(noisy, SeriesSet.empty(), M, truth("none", 0, 0));
    assertThat(ff.falseAlarms()).isEqualTo(2);
    assertThat(ff.faultFreeMs()).isEqualTo(220_000); // train end to the end of the recording
    assertThat(ff.scored()).isFalse();
  }

  @Test
  void reportComputesAccuracyTimesAndFalseAlarmsPerHour() {
    List<CaseScore> s =
        List.of(
            new CaseScore(
                "b", "1", "redis", "cpu_quota", true, 1, 1, 10_000, 40_000, 0, 1_800_000, ""),
            new CaseScore("b", "2", "redis", "cpu_quota", true, 3, 2, 20_000, -1, 1, 1_800_000, ""),
            new CaseScore("b", "3", "pgsql", "net_loss", true, 0, 0, -1, -1, 0, 0, ""),
            new CaseScore("b", "4", "pgsql", "none", false, 0, 0, -1, -1, 2, 3_600_000, ""),
            new CaseScore("b", "5", "pgsql", "db_lock", false, 0, 0, -1, -1, 0, 0, ""));
    Report r = Report.of(s);
    assertThat(r.cell("b", "all", "cases")).isEqualTo("3");
    assertThat(r.cell("b", "all", "AC@1")).isEqualTo("0.33");
    assertThat(r.cell("b", "all", "AC@3")).isEqualTo("0.67");
    // Avg@5 = (1/3 + 1/3 + 2/3 + 2/3 + 2/3) / 5
    assertThat(r.cell("b", "all", "Avg@5")).isEqualTo("0.53");
    assertThat(r.cell("b", "all", "AC@1 onset given")).isEqualTo("0.33");
    assertThat(r.cell("b", "all", "detected")).isEqualTo("2/3");
    assertThat(r.cell("b", "all", "TTD p50 s")).isEqualTo("10");
    assertThat(r.cell("b", "all", "TTD p90 s")).isEqualTo("20");
    assertThat(r.cell("b", "all", "TTRC p50 s")).isEqualTo("40");
    assertThat(r.cell("b", "all", "false alarms/h")).isEqualTo("1.5"); // 3 alarms in 2 h
    assertThat(r.cell("b", "fault cpu_quota", "AC@1")).isEqualTo("0.50");
    assertThat(r.cell("b", "app pgsql", "cases")).isEqualTo("1");
    assertThat(r.cell("b", "fault none", "false alarms/h")).isEqualTo("2.0");
    assertThat(r.cell("gala (platform)", "all", "AC@1")).isEqualTo("pending");
    assertThat(r.markdown()).contains("Not scored (the fault did not hurt the client): 5");
    assertThat(r.csv().lines().findFirst().orElseThrow())
        .startsWith("baseline,group,cases,AC@1,AC@3,Avg@5");
  }
}
