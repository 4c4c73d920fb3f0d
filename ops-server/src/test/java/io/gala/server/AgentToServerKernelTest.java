package io.gala.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The whole path on the real kernel: the agent (proc, io, baseinfo probes) sends its samples to
 * Kafka's own broker, the server consumes them and its topology shows this test's JVM running on
 * the agent's host and the disk it writes to under its block device; when the agent stops, its
 * entities age out.
 */
@Tag("kernel")
class AgentToServerKernelTest {

  @Test
  void anAgentsProcessesAndDisksReachTheTopologyThroughKafkaAndAgeOutWhenItStops(@TempDir Path tmp)
      throws Exception {
    try (Platform p = new Platform(tmp, "8s")) {
      p.startAgent("proc", "io", "baseinfo");
      String host = p.id("host");
      String self = p.id("proc", String.valueOf(ProcessHandle.current().pid()));
      Runnable write = () -> writeToDisk(tmp.resolve("io.bin"));
      JsonNode topology =
          p.await(
              "process",
              t ->
                  Platform.hasEdge(t, "runs_on", self, host)
                      && Platform.edges(t, "belongs_to").stream()
                          .anyMatch(
                              e ->
                                  e.get("from").asText().startsWith(p.machineId + "_block_")
                                      && e.get("to").asText().startsWith(p.machineId + "_disk_")),
              write);
      assertThat(Platform.node(topology, self).path("attributes").path("comm").asText())
          .isEqualTo("java");

      p.stopAgent();
      // Silent for longer than the agent timeout: everything of that agent is gone from the
      // topology.
      p.await("process", t -> !t.get("nodes").toString().contains(p.machineId), () -> {});
    }
  }

  static void writeToDisk(Path file) {
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.allocate(1 << 20), 0);
      ch.force(true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
