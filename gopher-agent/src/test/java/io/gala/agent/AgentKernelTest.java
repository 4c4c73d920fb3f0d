package io.gala.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.gala.agent.config.AgentConfig;
import io.gala.agent.testing.KernelTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole agent with its real probes on the real kernel. */
@KernelTest
class AgentKernelTest {
  private static final List<Process> children = new ArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();
  @TempDir Path dir;

  @AfterAll
  static void cleanUp() throws Exception {
    children.forEach(Process::destroyForcibly);
    for (String ns : List.of("gt-agent-a", "gt-agent-b")) {
      new ProcessBuilder("ip", "netns", "del", ns).start().waitFor();
    }
  }

  private AgentConfig config(String name) {
    AgentConfig c = new AgentConfig();
    c.machineId = "test-" + name;
    c.export.port = 0;
    c.control.port = 0;
    c.control.probesInit = dir.resolve(name + ".init").toString();
    c.defaultProbes = List.of();
    c.samplePeriodMs = 1000;
    return c;
  }

  private HttpResponse<String> put(GopherAgentHandle a, String probe, String body)
      throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.controlPort() + "/" + probe))
            .PUT(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static Set<String> ownPrograms() throws Exception {
    return io.gala.agent.testing.BpfPrograms.heldBy(ProcessHandle.current().pid());
  }

  @Test
  void enablesAndDisablesAProbeAtRunTimeAndRefusesMalformedInputUnchanged() throws Exception {
    try (GopherAgentHandle agent =
        GopherAgentHandle.start(config("runtime"), GopherAgentHandle.catalog())) {
      assertThat(ownPrograms()).doesNotContain("handle_sys_exit");
      assertThat(put(agent, "proc", "json={\"state\":\"running\"}").statusCode()).isEqualTo(200);
      assertThat(ownPrograms()).contains("handle_sys_exit", "handle_sched_switch");
      assertThat(agent.sampleAndScrape())
          .contains("gala_gopher_proc_runq_delay_seconds{machine_id=\"test-runtime\"");

      HttpResponse<String> bad =
          put(agent, "proc", "{\"state\":\"stopped\",\"params\":{\"max_procs\":-5}}");
      assertThat(bad.statusCode()).isEqualTo(400);
      assertThat(bad.body()).contains("params.max_procs");
      assertThat(ownPrograms()).as("a refused request changes nothing").contains("handle_sys_exit");

      assertThat(put(agent, "proc", "{\"state\":\"stopped\"}").statusCode()).isEqualTo(200);
      assertThat(ownPrograms()).doesNotContain("handle_sys_exit");
      assertThat(agent.sampleAndScrape())
          .contains(
              "gala_gopher_agent_probe_up{machine_id=\"test-runtime\",probe=\"proc\",state=\"stopped\"} 0");
    }
  }

  @Test
  void detachesEveryProgramOnSigterm() throws Exception {
    String javaBin = ProcessHandle.current().info().command().orElse("java");
    Process agent =
        new ProcessBuilder(
                javaBin,
                "-cp",
                System.getProperty("java.class.path"),
                "io.gala.agent.GopherAgent",
                "--export",
                "127.0.0.1:0",
                "--control",
                "127.0.0.1:0",
                "--probes-init",
                dir.resolve("sig.init").toString(),
                "--probes",
                "proc",
                "--machine-id",
                "sigterm-test")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("agent.log").toFile())
            .start();
    children.add(agent);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!java.nio.file.Files.readString(dir.resolve("agent.log")).contains("probe proc started")
        && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    assertThat(java.nio.file.Files.readString(dir.resolve("agent.log")))
        .contains("probe proc started");
    assertThat(io.gala.agent.testing.BpfPrograms.heldBy(agent.pid())).contains("handle_sys_exit");
    agent.destroy(); // SIGTERM
    assertThat(agent.waitFor(20, TimeUnit.SECONDS))
        .as("agent exits within 20 s of SIGTERM")
        .isTrue();
    assertThat(java.nio.file.Files.readString(dir.resolve("agent.log")))
        .contains("stopping: detaching all probes")
        .contains("probe proc stopped")
        .contains("GopherAgent: stopped");
  }

  @Test
  void twoAgentsScopedToTwoNamespacesReportOnlyTheirOwnProcesses() throws Exception {
    List<Process> sleepers = new ArrayList<>();
    for (String ns : List.of("gt-agent-a", "gt-agent-b")) {
      new ProcessBuilder("ip", "netns", "del", ns).start().waitFor();
      assertThat(new ProcessBuilder("ip", "netns", "add", ns).start().waitFor()).isZero();
      Process s = new ProcessBuilder("ip", "netns", "exec", ns, "sleep", "300").start();
      children.add(s);
      sleepers.add(s);
    }
    Thread.sleep(300);
    AgentConfig a = config("a");
    a.netns = "gt-agent-a";
    AgentConfig b = config("b");
    b.netns = "gt-agent-b";
    try (GopherAgentHandle agentA = GopherAgentHandle.start(a, GopherAgentHandle.catalog());
        GopherAgentHandle agentB = GopherAgentHandle.start(b, GopherAgentHandle.catalog())) {
      put(agentA, "proc", "{\"state\":\"running\"}");
      put(agentB, "proc", "{\"state\":\"running\"}");
      String textA = agentA.sampleAndScrape();
      String textB = agentB.sampleAndScrape();
      String sleepA = "tgid=\"" + sleepers.get(0).pid() + "\"";
      String sleepB = "tgid=\"" + sleepers.get(1).pid() + "\"";
      String self = "tgid=\"" + ProcessHandle.current().pid() + "\"";
      assertThat(textA).contains(sleepA).doesNotContain(sleepB).doesNotContain(self);
      assertThat(textB).contains(sleepB).doesNotContain(sleepA).doesNotContain(self);
    }
  }
}
