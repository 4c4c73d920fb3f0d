package io.gala.lab.recording;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Required fields of the lab's JSON files (manifest, ground truth), with errors that name file and
 * field.
 */
public final class JsonFields {
  private JsonFields() {}

  public static String text(JsonNode j, String field, Path file) throws IOException {
    if (!j.hasNonNull(field)) {
      throw new IOException(
          file + ": no \"" + field + "\" (written by lab/run.sh; is this a lab recording?)");
    }
    return j.get(field).asText();
  }

  public static long millis(JsonNode j, String field, Path file) throws IOException {
    if (!j.path(field).canConvertToLong()) {
      throw new IOException(
          file + ": \"" + field + "\" must be milliseconds since the epoch, not " + j.path(field));
    }
    return j.get(field).asLong();
  }
}
