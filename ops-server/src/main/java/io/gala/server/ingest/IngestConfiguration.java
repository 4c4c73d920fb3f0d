package io.gala.server.ingest;

import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the one ingest sink to every listener (time-series window, topology). */
@Configuration(proxyBeanMethods = false)
class IngestConfiguration {

  @Bean
  Ingestor ingestor(List<IngestListener> listeners) {
    return new Ingestor(listeners, System::currentTimeMillis);
  }
}
