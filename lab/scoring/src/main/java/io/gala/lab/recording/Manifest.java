package io.gala.lab.recording;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;

/**
 * What a case's analysis may know (manifest.json, written by lab/run.sh): the case, its
 * application, the seed, the agent version, and the recording's protocol times. {@code
 * trainStartMs..trainEndMs} is the fault-free period the protocol guarantees before any fault may
 * start; nothing here tells whether, when or where a fault was injected.
 */
public record Manifest(
    String caseId,
    String app,
    long seed,
    String agentVersion,
    long startMs,
    long trainStartMs,
    long trainEndMs,
    long endMs,
    long samplePeriodMs,
    String records,
    String events) {

  public static Manifest read(Path file) throws IOException {
    JsonNode j = new ObjectMapper().readTree(file.toFile());
    return new Manifest(
        JsonFields.text(j, "case", file),
        JsonFields.text(j, "app", file),
        j.path("seed").asLong(0),
        j.path("agent_version").asText("unknown"),
        JsonFields.millis(j, "start_ms", file),
        JsonFields.millis(j, "train_start_ms", file),
        JsonFields.millis(j, "train_end_ms", file),
        JsonFields.millis(j, "end_ms", file),
        j.path("sample_period_ms").asLong(5000),
        j.path("records").asText("records.bin"),
        j.path("events").asText("events.bin"));
  }
}
