package io.gala.lab.recording;

import io.gala.transport.proto.Batch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * One recorded case as the analysis sees it: the manifest and the agents' record batches in time
 * order. The ground truth is not part of it; {@link #truthFile} only says where the scorer finds
 * it.
 *
 * <p>Layout of a run (lab/run.sh): {@code <run>/cases/<case>/manifest.json}, {@code records.bin}
 * (or {@code records.bin.gz}), {@code sli.csv}, and {@code <run>/truth/<case>.json}.
 */
public record Recording(Path dir, Manifest manifest, List<Batch> batches, int corrupt) {

  public static Recording load(Path caseDir) throws IOException {
    Path mf = caseDir.resolve("manifest.json");
    if (!Files.isRegularFile(mf)) {
      throw new IOException(
          caseDir + " is not a recorded case: no manifest.json (record with ./gala lab run)");
    }
    Manifest m = Manifest.read(mf);
    Path file = caseDir.resolve(m.records());
    if (!Files.exists(file) && Files.exists(caseDir.resolve(m.records() + ".gz"))) {
      file = caseDir.resolve(m.records() + ".gz");
    }
    if (!Files.exists(file)) {
      throw new IOException(
          caseDir + ": no " + m.records() + "(.gz): the case was run without the platform");
    }
    BatchFile.Content c = BatchFile.read(file);
    List<Batch> records = new ArrayList<>();
    for (Batch b : c.batches()) {
      if (b.getBodyCase() == Batch.BodyCase.RECORDS) {
        records.add(b);
      }
    }
    records.sort(
        Comparator.comparingLong(Batch::getTimestampMs)
            .thenComparing(Batch::getMachineId)
            .thenComparingLong(Batch::getSequence));
    return new Recording(caseDir, m, List.copyOf(records), c.corrupt());
  }

  /**
   * The ground truth file of this case: {@code ../../truth/<case>.json}, else {@code truth.json}
   * beside it.
   */
  public Path truthFile() {
    Path apart =
        dir.toAbsolutePath()
            .getParent()
            .getParent()
            .resolve("truth")
            .resolve(manifest.caseId() + ".json");
    return Files.exists(apart) ? apart : dir.resolve("truth.json");
  }

  /**
   * Case directories, sorted: the directory itself when it is a case, the cases of a run directory
   * ({@code <run>/cases/*}), or those of every run below a directory of runs (such as
   * lab/recordings).
   */
  public static List<Path> casesUnder(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    collect(dir, 0, out);
    if (out.isEmpty()) {
      throw new IOException(
          dir + " holds no recorded case (no manifest.json in it, in cases/*/ or in */cases/*/)");
    }
    return out;
  }

  private static void collect(Path dir, int depth, List<Path> out) throws IOException {
    if (Files.isRegularFile(dir.resolve("manifest.json"))) {
      out.add(dir);
      return;
    }
    if (depth > 2 || !Files.isDirectory(dir)) {
      return;
    }
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.filter(Files::isDirectory).sorted().toList()) {
        collect(p, depth + 1, out);
      }
    }
  }
}
