package io.gala.server;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class OpsServer {
  public static void main(String[] args) {
    SpringApplication.run(OpsServer.class, args);
  }
}
