package io.gala.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.gala.lab.recording.Recording;
import io.gala.lab.scoring.CaseScore;
import io.gala.lab.scoring.GroundTruth;
import io.gala.lab.scoring.Report;
import io.gala.lab.series.Series;
import io.gala.lab.series.SeriesSet;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replays the recordings shipped in lab/recordings/redis-sample (a real lab run on this project's
 * machine: Redis with packet loss on the db host's link, a fault-free run at 1.5 x load, and a CPU
 * quota of 10 % of a core on the db host's cgroup) without the live system, checks the scoring
 * against what is known about the cases, and that a second replay gives the same scores.
 */
class ShippedRecordingReplayTest {
  static final Path CI = Path.of("..", "recordings", "redis-sample").toAbsolutePath().normalize();

  @TempDir Path out;

  @Test
  void theRecordingDecodesAndShowsTheQuotaOnTheRedisProcess() throws IOException {
    List<Path> cases = Recording.casesUnder(CI);
    Path quota =
        cases.stream()
            .filter(p -> p.getFileName().toString().contains("cpu_quota"))
            .findFirst()
            .orElseThrow();
    Recording rec = Recording.load(quota);
    assertThat(rec.corrupt()).isZero();
    assertThat(rec.batches()).hasSizeGreaterThan(30);
    GroundTruth truth = GroundTruth.read(rec.truthFile());
    assertThat(truth.fault()).isEqualTo("cpu_quota");
    assertThat(truth.scored()).isTrue();
    SeriesSet series = SeriesSet.of(rec.batches());
    SeriesSet.Entity redis =
        series.entities().stream()
            .filter(
                e ->
                    e.ref().entity().equals("proc")
                        && "redis-server".equals(e.ref().labels().get("comm")))
            .findFirst()
            .orElseThrow();
    assertThat(truth.accepts(redis.ref())).isTrue();
    // The known answer: the quota (10 % of one core for the whole cgroup) caps the server's CPU
    // time, which
    // was about 15 % of a core before.
    Series cpu = redis.metrics().get("cpu_seconds/s");
    double before =
        median(cpu.valuesBetween(rec.manifest().trainStartMs(), rec.manifest().trainEndMs()));
    double during = median(cpu.valuesBetween(truth.onsetMs() + 5000, truth.endMs()));
    assertThat(before).isGreaterThan(0.12);
    assertThat(during).isLessThan(0.105);
  }

  @Test
  void replayScoresTheCaseAndGivesTheSameTableTwice() throws IOException {
    List<CaseScore> first = LabReplay.replay(List.of(CI), out.resolve("plots"));
    List<CaseScore> second = LabReplay.replay(List.of(CI), null);
    assertThat(second).isEqualTo(first);
    assertThat(first).extracting(CaseScore::baseline).contains("random", "N-Sigma", "BARO");
    CaseScore nsigma =
        first.stream()
            .filter(c -> c.baseline().equals("N-Sigma") && c.fault().equals("cpu_quota"))
            .findFirst()
            .orElseThrow();
    assertThat(nsigma.scored()).isTrue();
    // Detected during the fault by the shared threshold detector (after a false alarm before the
    // onset) ...
    assertThat(nsigma.ttdMs()).isBetween(0L, 45_000L);
    assertThat(nsigma.falseAlarms()).isPositive();
    // ... and the first entity of its ranking is a process inside the throttled cgroup.
    assertThat(nsigma.rank()).isEqualTo(1);
    assertThat(nsigma.top()).startsWith("lab-db_proc_");
    assertThat(Files.exists(out.resolve("plots").resolve(nsigma.caseId() + ".json"))).isTrue();
    // The fault-free run counts false alarms over its whole watched time and is not scored for root
    // cause.
    CaseScore calm =
        first.stream()
            .filter(c -> c.baseline().equals("N-Sigma") && c.fault().equals("none"))
            .findFirst()
            .orElseThrow();
    assertThat(calm.scored()).isFalse();
    assertThat(calm.faultFreeMs()).isGreaterThan(60_000);

    Report r = Report.of(first);
    assertThat(r.cell("N-Sigma", "fault cpu_quota", "cases")).isEqualTo("1");
    assertThat(r.cell("gala (platform)", "all", "AC@1")).isEqualTo("pending");
  }

  @Test
  void theCommandPrintsTheSameMarkdownAsItWrites() throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    LabReplay.run(
        new String[] {CI.toString(), "--out", out.toString()},
        new PrintStream(buf, true, StandardCharsets.UTF_8));
    assertThat(buf.toString(StandardCharsets.UTF_8))
        .isEqualTo(Files.readString(out.resolve("scores.md")));
    assertThat(Files.readString(out.resolve("scores.csv"))).startsWith("baseline,group,cases,AC@1");
    assertThat(Files.readAllLines(out.resolve("case-scores.csv"))).hasSizeGreaterThan(3);
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }
}
