package io.gala.transport;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;

/**
 * Reads the gala-ops JSON topics (gala-compat.md): one object per record, checked for the fields
 * its topic requires, and the histogram strings of gala-gopher ({@code src/common/histogram.c},
 * {@code serialize_histo}): {@code "<n> <le1> <cum1> ... <leN> <cumN> <sum> <max>"}.
 */
public final class GalaOpsJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static final List<String> METRIC_FIELDS =
      List.of("timestamp", "machine_id", "entity_name");
  private static final List<String> METADATA_FIELDS =
      List.of("timestamp", "meta_name", "entity_name", "version", "keys", "labels", "metrics");
  private static final List<String> EVENT_FIELDS =
      List.of(
          "Timestamp",
          "event_id",
          "Attributes",
          "Resource",
          "SeverityText",
          "SeverityNumber",
          "Body");

  private GalaOpsJson() {}

  /**
   * Parses one JSON record of the given stream.
   *
   * @throws CorruptBatchException when it is not a JSON object with the fields that stream requires
   */
  public static ObjectNode decode(Topics.Stream stream, byte[] value) throws CorruptBatchException {
    JsonNode node;
    try {
      node = MAPPER.readTree(value);
    } catch (JsonProcessingException e) {
      throw new CorruptBatchException("not JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new CorruptBatchException("not JSON: " + e.getMessage());
    }
    if (!(node instanceof ObjectNode obj)) {
      throw new CorruptBatchException(
          "not a JSON object: " + (node == null ? "empty" : node.getNodeType()));
    }
    List<String> required =
        switch (stream) {
          case JSON_METRICS -> METRIC_FIELDS;
          case JSON_METADATA -> METADATA_FIELDS;
          case JSON_EVENTS -> EVENT_FIELDS;
          default -> throw new IllegalArgumentException(stream + " is not a JSON stream");
        };
    for (String f : required) {
      if (!obj.hasNonNull(f)) {
        throw new CorruptBatchException(stream + " object without \"" + f + "\"");
      }
    }
    return obj;
  }

  /** A gala-gopher histogram string: bucket upper bounds, cumulative counts, sum and max. */
  public record HistogramString(long[] upperBounds, long[] cumulativeCounts, long sum, long max) {}

  /** Parses {@code "<n> <le1> <cum1> ... <sum> <max>"}; bounds and counts are unsigned 64-bit. */
  public static HistogramString parseHistogram(String s) {
    String[] t = s.trim().split(" +");
    int n;
    try {
      n = Integer.parseInt(t[0]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "histogram string does not start with a bucket count: " + s);
    }
    if (n < 0 || t.length != 1 + 2 * n + 2) {
      throw new IllegalArgumentException(
          "histogram string of "
              + n
              + " buckets needs "
              + (3 + 2 * n)
              + " numbers, has "
              + t.length
              + ": "
              + s);
    }
    long[] le = new long[n];
    long[] cum = new long[n];
    for (int i = 0; i < n; i++) {
      le[i] = Long.parseUnsignedLong(t[1 + 2 * i]);
      cum[i] = Long.parseUnsignedLong(t[2 + 2 * i]);
    }
    return new HistogramString(
        le, cum, Long.parseUnsignedLong(t[1 + 2 * n]), Long.parseUnsignedLong(t[2 + 2 * n]));
  }
}
