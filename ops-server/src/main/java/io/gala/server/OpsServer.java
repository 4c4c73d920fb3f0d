package io.gala.server;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * gala's ops server: consumes the agents' records from Kafka, keeps a recent time-series window and
 * the topology over time, serves both under {@code /api/v1} and exports itself and the topology at
 * {@code /actuator/prometheus}. Configuration: {@code docs/server.md}.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class OpsServer {
  public static void main(String[] args) {
    SpringApplication.run(OpsServer.class, args);
  }
}
