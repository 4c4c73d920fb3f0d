package io.gala.lab.scoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gala.lab.recording.JsonFields;
import io.gala.lab.series.EntityRef;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What was broken in a case (truth/&lt;case&gt;.json, written by lab/run.sh), read by the scorer
 * only. An entity is an accepted root cause when it is on the faulted machine, its type starts with
 * one of the accepted types (so {@code proc} also accepts {@code proc_io}, {@code endpoint} accepts
 * {@code endpoint_tcp}), and, when the truth names a target process and the entity carries a {@code
 * comm} label, its comm matches.
 *
 * @param fault the fault kind of lab/faults.tsv, or {@code none} for a fault-free run
 * @param harmed {@code yes}, {@code no} (the fault did not hurt the client: not scored) or {@code
 *     fault-free}
 */
public record GroundTruth(
    String caseId,
    String app,
    String fault,
    String keyword,
    String intensity,
    String machineId,
    long onsetMs,
    long endMs,
    List<String> acceptedTypes,
    Pattern targetComm,
    String harmed,
    double p99Ratio) {

  public static GroundTruth read(Path file) throws IOException {
    JsonNode j = new ObjectMapper().readTree(file.toFile());
    String comm = j.path("target_comm").asText("");
    return new GroundTruth(
        JsonFields.text(j, "case", file),
        j.path("app").asText(""),
        JsonFields.text(j, "fault", file),
        j.path("keyword").asText(""),
        j.path("intensity").asText(""),
        j.path("machine_id").asText(""),
        JsonFields.millis(j, "onset_ms", file),
        JsonFields.millis(j, "end_ms", file),
        Arrays.stream(j.path("accepted_entity_types").asText("").split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .toList(),
        comm.isEmpty() ? null : Pattern.compile(comm),
        j.path("harmed").asText("yes"),
        j.path("p99_ratio").asDouble(0));
  }

  public boolean faultFree() {
    return fault.equals("none");
  }

  /** Scored for root cause: a fault that hurt the client. */
  public boolean scored() {
    return !faultFree() && !harmed.equals("no");
  }

  public boolean accepts(EntityRef e) {
    if (faultFree() || !e.machineId().equals(machineId)) {
      return false;
    }
    if (acceptedTypes.stream().noneMatch(t -> e.entity().startsWith(t))) {
      return false;
    }
    String comm = e.labels().get("comm");
    return targetComm == null || comm == null || targetComm.matcher(comm).matches();
  }
}
