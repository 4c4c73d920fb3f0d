package io.gala.agent.probe.l7;

import io.gala.agent.probe.Identity;
import io.gala.agent.probe.ProbeConfig;
import io.gala.agent.probe.ProbeContext;
import io.gala.agent.probe.ProcessLabels;
import io.gala.agent.probe.Scope;
import io.gala.agent.table.Row;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Starting real servers and running their clients for the l7 kernel tests. */
final class Servers {
  private Servers() {}

  static Process start(List<String> command) throws IOException {
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
  }

  static void awaitPort(int port, Process p) throws InterruptedException {
    for (int i = 0; i < 200; i++) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException e) {
        if (p != null && !p.isAlive()) {
          throw new IllegalStateException(
              "server for port " + port + " exited with " + p.exitValue());
        }
        Thread.sleep(50);
      }
    }
    throw new IllegalStateException("nothing listens on 127.0.0.1:" + port + " after 10 s");
  }

  /** Runs a command to its end and returns its standard output; fails on a non-zero exit. */
  static String run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
    }
    return out;
  }

  static void stop(Process p) throws InterruptedException {
    if (p != null) {
      p.destroy();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  static ProbeContext context(ProbeConfig.Snoopers snoopers, Map<String, Object> params) {
    return new ProbeContext(
        new Identity("test", "127.0.0.1"),
        Scope.HOST,
        new ProbeConfig(List.of(), snoopers, params, ProbeConfig.RUNNING),
        new ProcessLabels());
  }

  static List<Row> sample(L7Probe probe) throws Exception {
    List<Row> rows = new ArrayList<>();
    probe.sample(rows::add);
    return rows;
  }

  /**
   * Samples until the server's request count holds still: on a loaded machine the reader may be
   * seconds behind the kernel, and a fixed pause flakes.
   */
  static List<Row> drained(L7Probe probe) throws Exception {
    List<Row> rows = List.of();
    double last = -1;
    for (int i = 0; i < 40; i++) {
      Thread.sleep(250);
      rows = Servers.sample(probe);
      double total =
          rows.stream()
              .filter(r -> r.table() == L7Tables.RPC && r.key("l7_role").equals("server"))
              .mapToDouble(r -> r.value("req_count"))
              .sum();
      if (total > 0 && total == last) {
        break;
      }
      last = total;
    }
    return rows;
  }
}
