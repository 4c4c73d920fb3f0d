package io.gala.agent.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Reads a topic with Debian's kcat, as a user of the gala-ops JSON topics would. */
final class Kcat {
  private Kcat() {}

  /**
   * Every message of the topic from the beginning, each parsed as JSON; fails the test if kcat
   * fails.
   */
  static List<JsonNode> read(String bootstrap, String topic)
      throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(
                "kcat", "-C", "-b", bootstrap, "-t", topic, "-o", "beginning", "-e", "-q", "-u")
            .redirectErrorStream(false)
            .start();
    byte[] out = p.getInputStream().readAllBytes();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new AssertionError(
          "kcat -C -t "
              + topic
              + " failed ("
              + (p.isAlive() ? "timeout" : "exit " + p.exitValue())
              + "): "
              + err);
    }
    ObjectMapper mapper = new ObjectMapper();
    List<JsonNode> nodes = new ArrayList<>();
    for (String line : new String(out, StandardCharsets.UTF_8).split("\n")) {
      if (!line.isBlank()) {
        nodes.add(mapper.readTree(line));
      }
    }
    return nodes;
  }
}
