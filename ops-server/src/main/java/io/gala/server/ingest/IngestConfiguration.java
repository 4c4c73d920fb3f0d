package io.gala.server.ingest;

import java.util.List;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the one ingest sink to every listener (time-series window, topology) and to Kafka. */
@Configuration(proxyBeanMethods = false)
class IngestConfiguration {

  @Bean
  Ingestor ingestor(List<IngestListener> listeners) {
    return new Ingestor(listeners, System::currentTimeMillis);
  }

  @Bean(destroyMethod = "close")
  @ConditionalOnProperty(
      name = "gala.ingest.kafka.enabled",
      havingValue = "true",
      matchIfMissing = true)
  KafkaIngest kafkaIngest(IngestProperties p, Ingestor ingestor) {
    return new KafkaIngest(p.kafka(), ingestor);
  }

  /** Consumes once the application (REST, snapshots) is up; stops first on shutdown. */
  @Bean
  @ConditionalOnProperty(
      name = "gala.ingest.kafka.enabled",
      havingValue = "true",
      matchIfMissing = true)
  SmartLifecycle kafkaIngestLifecycle(KafkaIngest kafka) {
    return new SmartLifecycle() {
      private volatile boolean running;

      @Override
      public void start() {
        kafka.start();
        running = true;
      }

      @Override
      public void stop() {
        kafka.close();
        running = false;
      }

      @Override
      public boolean isRunning() {
        return running;
      }
    };
  }
}
