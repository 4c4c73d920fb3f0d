package io.gala.transport;

import java.util.List;
import java.util.Objects;

/**
 * The Kafka topics of the transport, one format per topic: gala's protobuf batches on {@code
 * records}, {@code metadata} and {@code events}; gala-ops JSON, for kcat and old consumers, on
 * {@code gala_gopher}, {@code gala_gopher_metadata} and {@code gala_gopher_event}.
 */
public record Topics(
    String records,
    String metadata,
    String events,
    String jsonMetrics,
    String jsonMetadata,
    String jsonEvents) {
  public static final Topics DEFAULT =
      new Topics(
          "gala_records",
          "gala_metadata",
          "gala_events",
          "gala_gopher",
          "gala_gopher_metadata",
          "gala_gopher_event");

  public Topics {
    for (String t : List.of(records, metadata, events, jsonMetrics, jsonMetadata, jsonEvents)) {
      Objects.requireNonNull(t, "topic");
      if (!t.matches("[A-Za-z0-9._-]{1,249}")) {
        throw new IllegalArgumentException(
            "topic name \"" + t + "\" is not a valid Kafka topic ([A-Za-z0-9._-], 1-249)");
      }
    }
    if (List.of(records, metadata, events, jsonMetrics, jsonMetadata, jsonEvents).stream()
            .distinct()
            .count()
        != 6) {
      throw new IllegalArgumentException(
          "the six transport topics must differ (one format per topic): "
              + List.of(records, metadata, events, jsonMetrics, jsonMetadata, jsonEvents));
    }
  }

  public List<String> protobuf() {
    return List.of(records, metadata, events);
  }

  public List<String> json() {
    return List.of(jsonMetrics, jsonMetadata, jsonEvents);
  }

  /** What a topic carries, or null when it is not one of these. */
  public Stream streamOf(String topic) {
    if (topic.equals(records)) {
      return Stream.RECORDS;
    } else if (topic.equals(metadata)) {
      return Stream.METADATA;
    } else if (topic.equals(events)) {
      return Stream.EVENTS;
    } else if (topic.equals(jsonMetrics)) {
      return Stream.JSON_METRICS;
    } else if (topic.equals(jsonMetadata)) {
      return Stream.JSON_METADATA;
    } else if (topic.equals(jsonEvents)) {
      return Stream.JSON_EVENTS;
    }
    return null;
  }

  /** The six kinds of content, each on a topic of its own. */
  public enum Stream {
    RECORDS,
    METADATA,
    EVENTS,
    JSON_METRICS,
    JSON_METADATA,
    JSON_EVENTS;

    public boolean isProtobuf() {
      return this == RECORDS || this == METADATA || this == EVENTS;
    }
  }
}
