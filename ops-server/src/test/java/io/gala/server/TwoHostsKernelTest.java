package io.gala.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.gala.server.ingest.EntityIds;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Two hosts emulated with two network namespaces (gt-e2e-a 10.200.72.1, gt-e2e-b 10.200.72.2,
 * joined by a veth pair) and two real agents, each scoped to one namespace with a machine_id of its
 * own, feeding one server: a client in A holding a connection to a server in B is one is_peer edge
 * between A's client-side tcp_link and B's server-side tcp_link (each agent sees only its end),
 * lifted to connect edges between the two processes and the two hosts. The ports and addresses the
 * edges carry are checked against {@code ss -tnp} in each namespace.
 */
@Tag("kernel")
class TwoHostsKernelTest {
  static final String NS_A = "gt-e2e-a";
  static final String NS_B = "gt-e2e-b";
  static final String IP_A = "10.200.72.1";
  static final String IP_B = "10.200.72.2";
  static final int PORT = 16520;

  private final List<Process> children = new ArrayList<>();

  @Test
  void aConnectionBetweenTwoAgentsHostsIsMatchedFromBothEnds(@TempDir Path tmp) throws Exception {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    String machineA = "gt-e2e-hosta-" + suffix + "-" + IP_A;
    String machineB = "gt-e2e-hostb-" + suffix + "-" + IP_B;
    try (Platform p = new Platform(tmp, "60s")) {
      createNamespaces();
      startAgent(p, tmp, "a", machineA, NS_A, IP_A);
      startAgent(p, tmp, "b", machineB, NS_B, IP_B);
      Process server =
          spawn(
              tmp,
              "server",
              NS_B,
              "python3",
              "-c",
              """
          import socket, threading
          s = socket.socket()
          s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
          s.bind(('%s', %d))
          s.listen(16)
          print('ready', flush=True)
          def serve(c):
              while c.recv(65536):
                  c.sendall(b'pong')
          while True:
              c, _ = s.accept()
              threading.Thread(target=serve, args=(c,), daemon=True).start()
          """
                  .formatted(IP_B, PORT));
      awaitLine(server, "ready");
      Process client =
          spawn(
              tmp,
              "client",
              NS_A,
              "python3",
              "-c",
              """
          import socket, time
          c = socket.create_connection(('%s', %d))
          print('open', flush=True)
          while True:
              c.sendall(b'ping')
              c.recv(4)
              time.sleep(0.2)
          """
                  .formatted(IP_B, PORT));
      awaitLine(client, "open");

      String hostA = EntityIds.of(machineA, "host");
      String hostB = EntityIds.of(machineB, "host");
      JsonNode rpc;
      try {
        rpc = p.await("rpc", t -> peer(t, machineA, machineB) != null, () -> {});
      } catch (AssertionError e) {
        throw new AssertionError(
            "agent a log:\n"
                + Platform.tail(tmp.resolve("agent-a.log"))
                + "\nagent b log:\n"
                + Platform.tail(tmp.resolve("agent-b.log")),
            e);
      }
      // The truth: ss in each namespace names the ends, their ports and their processes.
      String ssA = ss(NS_A);
      String ssB = ss(NS_B);
      assertThat(ssA)
          .contains(IP_A + ":")
          .contains(IP_B + ":" + PORT)
          .contains("pid=" + client.pid() + ",");
      assertThat(ssB).contains(IP_B + ":" + PORT).contains("pid=" + server.pid() + ",");
      String clientPort = ssA.split(IP_A + ":")[1].split("\\s")[0];

      JsonNode peer = peer(rpc, machineA, machineB);
      JsonNode clientLink = Platform.node(rpc, peer.get("from").asText());
      JsonNode serverLink = Platform.node(rpc, peer.get("to").asText());
      assertThat(peer.get("detail").asText()).isEqualTo(IP_B + ":" + PORT);
      assertThat(clientLink.get("machine_id").asText()).isEqualTo(machineA);
      assertThat(serverLink.get("machine_id").asText()).isEqualTo(machineB);
      for (JsonNode link : List.of(clientLink, serverLink)) {
        JsonNode a = link.get("attributes");
        assertThat(a.path("client_ip").asText()).isEqualTo(IP_A);
        assertThat(a.path("client_port").asText()).isEqualTo(clientPort);
        assertThat(a.path("server_ip").asText()).isEqualTo(IP_B);
        assertThat(a.path("server_port").asText()).isEqualTo(String.valueOf(PORT));
      }
      assertThat(clientLink.get("attributes").path("role").asText()).isEqualTo("client");
      assertThat(clientLink.get("attributes").path("tgid").asText())
          .isEqualTo(String.valueOf(client.pid()));
      assertThat(serverLink.get("attributes").path("role").asText()).isEqualTo("server");
      assertThat(serverLink.get("attributes").path("tgid").asText())
          .isEqualTo(String.valueOf(server.pid()));

      // Lifted: the client process connects the server process, host A connects host B, on the
      // port.
      String procA = EntityIds.of(machineA, "proc", String.valueOf(client.pid()));
      String procB = EntityIds.of(machineB, "proc", String.valueOf(server.pid()));
      JsonNode process = p.get("/api/v1/topology?level=process");
      assertThat(connect(process, procA, procB))
          .as("proc connect edge")
          .isEqualTo(String.valueOf(PORT));
      assertThat(Platform.hasEdge(process, "runs_on", procA, hostA)).isTrue();
      assertThat(Platform.hasEdge(process, "runs_on", procB, hostB)).isTrue();
      JsonNode host = p.get("/api/v1/topology?level=host");
      assertThat(connect(host, hostA, hostB))
          .as("host connect edge")
          .isEqualTo(String.valueOf(PORT));
      // Each agent saw only its own end: no tcp_link of this port from A is a server, none from B a
      // client.
      for (JsonNode n : rpc.get("nodes")) {
        JsonNode a = n.path("attributes");
        if (n.get("type").asText().equals("tcp_link")
            && a.path("server_port").asText().equals(String.valueOf(PORT))) {
          String mid = n.get("machine_id").asText();
          assertThat(mid).isIn(machineA, machineB);
          assertThat(a.path("role").asText()).isEqualTo(mid.equals(machineA) ? "client" : "server");
        }
      }
    } finally {
      for (Process c : children) {
        c.destroy();
        if (!c.waitFor(20, TimeUnit.SECONDS)) {
          c.destroyForcibly();
        }
      }
      deleteNamespaces();
    }
  }

  /**
   * The is_peer edge from a client tcp_link of machine a to a server tcp_link of machine b on PORT,
   * or null.
   */
  static JsonNode peer(JsonNode t, String a, String b) {
    for (JsonNode e : Platform.edges(t, "is_peer")) {
      if (e.get("from").asText().startsWith(a + "_tcp_link")
          && e.get("to").asText().startsWith(b + "_tcp_link")
          && e.get("detail").asText().endsWith(":" + PORT)) {
        return e;
      }
    }
    return null;
  }

  /** The detail (port) of the connect edge from -> to, or null. */
  static String connect(JsonNode t, String from, String to) {
    for (JsonNode e : Platform.edges(t, "connect")) {
      if (e.get("from").asText().equals(from) && e.get("to").asText().equals(to)) {
        return e.get("detail").asText();
      }
    }
    return null;
  }

  private void startAgent(
      Platform p, Path tmp, String name, String machineId, String netns, String ip)
      throws IOException {
    Path config = tmp.resolve("agent-" + name + ".json");
    Files.writeString(
        config,
        """
        {"machine_id": "%s", "host_ip": "%s", "netns": "%s", "sample_period_ms": 1000,
         "default_probes": ["proc", "tcp"],
         "export": {"address": "127.0.0.1", "port": %d},
         "control": {"address": "127.0.0.1", "port": %d, "probes_init": "%s"},
         "kafka": {"bootstrap_servers": "%s"}}
        """
            .formatted(
                machineId,
                ip,
                netns,
                Platform.freePort(),
                Platform.freePort(),
                tmp.resolve("probes-" + name + ".init"),
                p.broker.bootstrap()));
    children.add(
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-jar",
                Platform.AGENT_JAR.toString(),
                "--config",
                config.toString())
            .redirectErrorStream(true)
            .redirectOutput(tmp.resolve("agent-" + name + ".log").toFile())
            .start());
  }

  private Process spawn(Path tmp, String name, String netns, String... cmd) throws IOException {
    List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", netns));
    all.addAll(List.of(cmd));
    Process p = new ProcessBuilder(all).redirectError(tmp.resolve(name + ".err").toFile()).start();
    children.add(p);
    return p;
  }

  private static void awaitLine(Process p, String line) throws IOException {
    String got = new String(p.getInputStream().readNBytes(line.length()), StandardCharsets.UTF_8);
    assertThat(got).as("process %d did not print %s", p.pid(), line).isEqualTo(line);
  }

  private static String ss(String netns) throws Exception {
    return run("ip", "netns", "exec", netns, "ss", "-tnpH", "state", "established");
  }

  private static void createNamespaces() throws Exception {
    deleteNamespaces();
    run("ip", "netns", "add", NS_A);
    run("ip", "netns", "add", NS_B);
    run(
        "ip",
        "-n",
        NS_A,
        "link",
        "add",
        "gt-e2e-va",
        "type",
        "veth",
        "peer",
        "name",
        "gt-e2e-vb",
        "netns",
        NS_B);
    run("ip", "-n", NS_A, "addr", "add", IP_A + "/24", "dev", "gt-e2e-va");
    run("ip", "-n", NS_B, "addr", "add", IP_B + "/24", "dev", "gt-e2e-vb");
    for (String ns : List.of(NS_A, NS_B)) {
      run("ip", "-n", ns, "link", "set", "lo", "up");
    }
    run("ip", "-n", NS_A, "link", "set", "gt-e2e-va", "up");
    run("ip", "-n", NS_B, "link", "set", "gt-e2e-vb", "up");
  }

  private static void deleteNamespaces() throws Exception {
    for (String ns : List.of(NS_A, NS_B)) {
      new ProcessBuilder("ip", "netns", "del", ns)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start()
          .waitFor(30, TimeUnit.SECONDS);
    }
  }

  private static String run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0)
        .as("%s: %s", String.join(" ", cmd), out)
        .isTrue();
    return out;
  }
}
