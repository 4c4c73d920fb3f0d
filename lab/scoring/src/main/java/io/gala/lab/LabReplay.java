package io.gala.lab;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gala.lab.baseline.Baseline;
import io.gala.lab.recording.Recording;
import io.gala.lab.scoring.CaseScore;
import io.gala.lab.scoring.GroundTruth;
import io.gala.lab.scoring.PlotData;
import io.gala.lab.scoring.Report;
import io.gala.lab.scoring.Scorer;
import io.gala.lab.series.SeriesSet;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ./gala lab replay [recording...] [--format text|json|csv] [--out DIR]}: replays recorded
 * cases (a run directory, its {@code cases/} or one case directory) through the baselines and
 * prints the score table; with {@code --out}, also writes scores.md, scores.csv, case-scores.csv
 * and plots/&lt;case&gt;.json there. Replay reads recorded time only and seeds its randomness from
 * the manifests: the same recording gives the same table every time.
 */
public final class LabReplay {
  static final String USAGE =
      "usage: ./gala lab replay [RUN_OR_CASE_DIR...] [--format text|json|csv] [--out DIR]";

  private LabReplay() {}

  public static void main(String[] args) {
    try {
      run(args, System.out);
    } catch (IllegalArgumentException e) {
      System.err.println("lab replay: " + e.getMessage() + "\n" + USAGE);
      System.exit(2);
    } catch (IOException e) {
      System.err.println("lab replay: " + e.getMessage());
      System.exit(1);
    }
  }

  /** The case scores of every case under the given directories, all baselines, case by case. */
  public static List<CaseScore> replay(List<Path> dirs, Path plots) throws IOException {
    List<CaseScore> scores = new ArrayList<>();
    for (Path d : dirs) {
      for (Path c : Recording.casesUnder(d)) {
        Recording rec = Recording.load(c);
        SeriesSet series = SeriesSet.of(rec.batches());
        Path truthFile = rec.truthFile();
        if (!Files.exists(truthFile)) {
          throw new IOException(c + ": no ground truth (looked for " + truthFile + ")");
        }
        GroundTruth truth = GroundTruth.read(truthFile);
        for (Baseline b : Baseline.defaults()) {
          scores.add(Scorer.score(b, series, rec.manifest(), truth));
        }
        if (plots != null && !truth.faultFree()) {
          PlotData.write(
              plots.resolve(rec.manifest().caseId() + ".json"),
              series,
              rec.manifest(),
              truth,
              c.resolve("sli.csv").toAbsolutePath());
        }
      }
    }
    return scores;
  }

  static void run(String[] args, PrintStream out) throws IOException {
    List<Path> dirs = new ArrayList<>();
    String format = "text";
    Path outDir = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--format" -> format = value(args, i++);
        case "--out" -> outDir = Path.of(value(args, i++));
        case "-h", "--help" -> throw new IllegalArgumentException("help");
        default -> {
          if (args[i].startsWith("-")) {
            throw new IllegalArgumentException("unknown option " + args[i]);
          }
          dirs.add(Path.of(args[i]));
        }
      }
    }
    if (!List.of("text", "json", "csv").contains(format)) {
      throw new IllegalArgumentException("--format must be text, json or csv, not " + format);
    }
    if (dirs.isEmpty()) {
      throw new IllegalArgumentException("no recording given");
    }
    List<CaseScore> scores = replay(dirs, outDir == null ? null : outDir.resolve("plots"));
    Report report = Report.of(scores);
    if (outDir != null) {
      Files.createDirectories(outDir);
      Files.writeString(outDir.resolve("scores.md"), report.markdown());
      Files.writeString(outDir.resolve("scores.csv"), report.csv());
      Files.writeString(outDir.resolve("case-scores.csv"), Report.casesCsv(scores));
    }
    switch (format) {
      case "json" ->
          out.println(
              new ObjectMapper()
                  .writerWithDefaultPrettyPrinter()
                  .writeValueAsString(report.lines().stream().map(Report.Line::cells).toList()));
      case "csv" -> out.print(report.csv());
      default -> out.print(report.markdown());
    }
  }

  private static String value(String[] args, int i) {
    if (i + 1 >= args.length) {
      throw new IllegalArgumentException(args[i] + " needs a value");
    }
    return args[i + 1];
  }
}
