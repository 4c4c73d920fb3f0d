package io.gala.server.ingest;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code gala.ingest.*}: where the agents' records come from. Unknown keys stop the server.
 *
 * @param kafka the Kafka consumer group the server joins
 */
@ConfigurationProperties(prefix = "gala.ingest", ignoreUnknownFields = false)
public record IngestProperties(@DefaultValue Kafka kafka) {

  /**
   * @param enabled consume from Kafka (off: only what is pushed through the {@link IngestSink}
   *     in-process)
   * @param bootstrapServers the brokers, host:port[,host:port]
   * @param groupId the consumer group; servers of one group share the partitions
   * @param recordsTopic the transport's topic of protobuf record batches
   * @param consumers consumer threads in this server (each takes some partitions)
   * @param pollTimeout longest wait of one poll
   * @param properties extra Kafka consumer properties (security.protocol, sasl.*, ssl.*)
   */
  public record Kafka(
      @DefaultValue("true") boolean enabled,
      @DefaultValue("127.0.0.1:9092") String bootstrapServers,
      @DefaultValue("gala-ops-server") String groupId,
      @DefaultValue("gala_records") String recordsTopic,
      @DefaultValue("1") int consumers,
      @DefaultValue("1s") Duration pollTimeout,
      @DefaultValue java.util.Map<String, String> properties) {
    public Kafka {
      if (consumers < 1 || consumers > 64) {
        throw new IllegalArgumentException(
            "gala.ingest.kafka.consumers must be 1-64, was " + consumers);
      }
      if (!recordsTopic.matches("[A-Za-z0-9._-]{1,249}")) {
        throw new IllegalArgumentException(
            "gala.ingest.kafka.records-topic '"
                + recordsTopic
                + "' is not a Kafka topic name ([A-Za-z0-9._-], 1-249 characters)");
      }
    }
  }
}
