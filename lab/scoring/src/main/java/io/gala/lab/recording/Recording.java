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
 * One recorded case as the analysis sees it: the manifest and the agents' record batches in time order.
 * The ground truth is not part of it; {@link #truthFile} only says where the scorer finds it.
 *
 * <p>Layout of a run (lab/run.sh): {@code <run>/cases/<case>/manifest.json}, {@code records.bin} (or
 * {@code records.bin.gz}), {@code sli.csv}, and {@code <run>/truth/<case>.json}.
 */
public record Recording(Path dir, Manifest manifest, List<Batch> batches, int corrupt) {

  public static Recording load(Path caseDir) throws IOException {
    Path mf = caseDir.resolve("manifest.json");
    if (!Files.isRegularFile(mf)) {
      throw new IOException(caseDir + " is not a recorded case: no manifest.json (record with ./gala lab run)");
    }
    Manifest m = Manifest.read(mf);
    Path file = caseDir.resolve(m.records());
    if (!Files.exists(file) && Files.exists(caseDir.resolve(m.records() + ".gz"))) {
      file = caseDir.resolve(m.records() + ".gz");
    }
    if (!Files.exists(file)) {
      throw new IOException(caseDir + ": no " + m.records() + "(.gz): the case was run without the platform");
    }
    BatchFile.Content c = BatchFile.read(file);
    List<Batch> records = new ArrayList<>();
    for (Batch b : c.batches()) {
      if (b.getBodyCase() == Batch.BodyCase.RECORDS) {
        records.add(b);
      }
    }
    records.sort(Comparator.comparingLong(Batch::getTimestampMs).thenComparing(Batch::getMachineId)
        .thenComparingLong(Batch::getSequence));
    return new Recording(caseDir, m, List.copyOf(records), c.corrupt());
  }

  /** The ground truth file of this case: {@code ../../truth/<case>.json}, else {@code truth.json} beside it. */
  public Path truthFile() {
    Path apart = dir.toAbsolutePath().getParent().getParent().resolve("truth").resolve(manifest.caseId() + ".json");
    return Files.exists(apart) ? apart : dir.resolve("truth.json");
  }

  /** Case directories under a run directory, or the directory itself when it is a case; sorted by name. */
  public static List<Path> casesUnder(Path dir) throws IOException {
    if (Files.isRegularFile(dir.resolve("manifest.json"))) {
      return List.of(dir);
    }
    Path cases = Files.isDirectory(dir.resolve("cases")) ? dir.resolve("cases") : dir;
    try (Stream<Path> s = Files.list(cases)) {
      List<Path> out = s.filter(p -> Files.isRegularFile(p.resolve("manifest.json"))).sorted().toList();
      if (out.isEmpty()) {
        throw new IOException(dir + " holds no recorded case (no */manifest.json under " + cases + ")");
      }
      return out;
    }
  }
}
