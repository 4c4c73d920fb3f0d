package io.gala.lab.scoring;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gala.lab.recording.Manifest;
import io.gala.lab.series.Series;
import io.gala.lab.series.SeriesSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What lab/plot.py draws for a case: the metric of an accepted root-cause entity whose median moved
 * most during the fault (in IQRs of its training window), the protocol and fault times, and where
 * the client SLI is.
 */
public final class PlotData {
  private PlotData() {}

  public static void write(Path file, SeriesSet set, Manifest m, GroundTruth truth, Path sliCsv)
      throws IOException {
    SeriesSet.Entity bestEntity = null;
    String bestMetric = null;
    double best = -1;
    for (SeriesSet.Entity e : set.entities()) {
      if (!truth.accepts(e.ref())) {
        continue;
      }
      for (var me : e.metrics().entrySet()) {
        double[] train = me.getValue().valuesBetween(m.trainStartMs(), m.trainEndMs());
        double[] fault =
            me.getValue().valuesBetween(truth.onsetMs(), truth.endMs() + m.samplePeriodMs());
        if (train.length < 3 || fault.length == 0) {
          continue;
        }
        java.util.Arrays.sort(train);
        java.util.Arrays.sort(fault);
        if (train[0] == train[train.length - 1]) {
          continue; // constant before the fault: any blip would win
        }
        double med = train[train.length / 2];
        double iqr =
            Math.max(train[train.length * 3 / 4] - train[train.length / 4], Math.abs(med) * 0.01);
        double z =
            Math.abs(fault[fault.length / 2] - med)
                / iqr; // the fault's median: a shift, not a blip
        if (z > best) {
          best = z;
          bestEntity = e;
          bestMetric = me.getKey();
        }
      }
    }
    ObjectNode o = new ObjectMapper().createObjectNode();
    o.put("case", m.caseId())
        .put("fault", truth.fault())
        .put("intensity", truth.intensity())
        .put("train_start_ms", m.trainStartMs())
        .put("train_end_ms", m.trainEndMs())
        .put("onset_ms", truth.onsetMs())
        .put("end_ms", truth.endMs())
        .put("sli", sliCsv.toString());
    if (bestEntity != null) {
      o.put("entity", bestEntity.id()).put("metric", bestMetric);
      Series s = bestEntity.metrics().get(bestMetric);
      ArrayNode t = o.putArray("t_ms");
      ArrayNode v = o.putArray("value");
      for (int i = 0; i < s.size(); i++) {
        t.add(s.time(i));
        v.add(s.value(i));
      }
    }
    Files.createDirectories(file.getParent());
    new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(file.toFile(), o);
  }
}
