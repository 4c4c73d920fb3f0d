package io.gala.agent.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gala.agent.export.Sample;
import io.gala.agent.kafka.KafkaConfig;
import io.gala.agent.kafka.KafkaExporter;
import io.gala.agent.table.Row;
import io.gala.agent.testing.KernelTest;
import io.gala.broker.BrokerProcess;
import io.gala.transport.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A listen-overflow storm in a network namespace of its own: a server with backlog 1 that never
 * accepts, and 40 clients. The kernel's own counters (TcpExtListenDrops, TcpExtListenOverflows of
 * that namespace) become endpoint_tcp rows as the socket probe reports them; through the sub-health
 * checks and the real exporter to Kafka's own broker, kcat then reads a gala-ops event on
 * gala_gopher_event.
 */
@KernelTest
class ListenOverflowEventTest {
  private static final String NETNS = "gt-kafka-lo";
  private static final int PORT = 47011;

  @TempDir static Path dir;

  private static BrokerProcess broker;
  private static Process server;

  @BeforeAll
  static void setUp() throws Exception {
    run("ip", "netns", "del", NETNS);
    must("ip", "netns", "add", NETNS);
    must("ip", "netns", "exec", NETNS, "ip", "link", "set", "lo", "up");
    // The fixtures are stamped in 2023: without this the broker's retention check deletes them.
    broker = BrokerProcess.start(dir.resolve("kafka"), "--config", "log.retention.ms=-1");
  }

  @AfterAll
  static void tearDown() throws Exception {
    if (server != null) {
      server.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
    if (broker != null) {
      broker.close();
    }
    run("ip", "netns", "del", NETNS);
  }

  @Test
  void aListenOverflowStormBecomesAGalaOpsEventOnGalaGopherEvent() throws Exception {
    server =
        new ProcessBuilder(
                "ip",
                "netns",
                "exec",
                NETNS,
                "python3",
                "-c",
                "import socket,time\ns=socket.socket()\ns.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\n"
                    + "s.bind(('127.0.0.1',"
                    + PORT
                    + "))\ns.listen(1)\nprint('listening',flush=True)\ntime.sleep(120)\n")
            .redirectErrorStream(true)
            .start();
    assertThat(new String(server.getInputStream().readNBytes(10), StandardCharsets.UTF_8))
        .isEqualTo("listening\n");
    long serverPid = server.pid();

    Topics topics = Topics.DEFAULT;
    KafkaConfig config = KafkaConfig.defaults(broker.bootstrap()).withJson(true);
    List<SubHealthEvent> raised = new ArrayList<>();
    try (KafkaExporter kafka = new KafkaExporter(config)) {
      SubHealthDetector detector =
          new SubHealthDetector(
              ProbeParams.fixed(Map.of("socket", Map.of("report_event", 1))),
              events -> {
                raised.addAll(events);
                kafka.publish(events);
              });
      long[] before = listenCounters();
      Sample s0 = sample(0, serverPid, before);
      detector.onSample(s0);
      kafka.onSample(s0);

      must(
          "ip",
          "netns",
          "exec",
          NETNS,
          "python3",
          "-c",
          "import socket\ncs=[]\nfor i in range(40):\n  c=socket.socket()\n  c.setblocking(False)\n"
              + "  try: c.connect(('127.0.0.1',"
              + PORT
              + "))\n  except BlockingIOError: pass\n  cs.append(c)\n"
              + "import time\ntime.sleep(3)\n");
      long[] after = listenCounters();
      long drops = after[0] - before[0];
      assertThat(drops).as("kernel TcpExtListenDrops of " + NETNS).isPositive();
      Sample s1 = sample(5_000, serverPid, after);
      detector.onSample(s1);
      kafka.onSample(s1);

      assertThat(raised).hasSize(1);
      assertThat(raised.get(0).description()).isEqualTo("TCP listen drops(" + drops + ").");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (kafka.stats().json().queueBatches() + kafka.stats().protobuf().queueBatches() > 0
          && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
    }

    Process kcat =
        new ProcessBuilder(
                "kcat",
                "-C",
                "-b",
                broker.bootstrap(),
                "-t",
                topics.jsonEvents(),
                "-o",
                "beginning",
                "-e",
                "-q")
            .start();
    String out = new String(kcat.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(kcat.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(out.split("\n")).hasSize(1);
    JsonNode e = new ObjectMapper().readTree(out);
    assertThat(e.get("Resource").get("metric").asText())
        .isEqualTo("gala_gopher_endpoint_tcp_listendrop");
    assertThat(e.get("Resource").get("labels").get("PID").asText())
        .isEqualTo(String.valueOf(serverPid));
    assertThat(e.get("Resource").get("labels").get("IP").asText())
        .isEqualTo("Client , Server 127.0.0.1:" + PORT);
    assertThat(e.get("Attributes").get("event_type").asText()).isEqualTo("sys");
    assertThat(e.get("SeverityText").asText()).isEqualTo("WARN");
    assertThat(e.get("SeverityNumber").asInt()).isEqualTo(13);
    assertThat(e.get("Body").asText())
        .endsWith("WARN Entity(" + raised.get(0).entityId() + ") " + raised.get(0).description());
    assertThat(e.get("event_id").asText()).isEqualTo(raised.get(0).eventId());
  }

  /** An endpoint_tcp row of the listening socket with the namespace's kernel counters. */
  private static Sample sample(long ts, long pid, long[] counters) {
    Row row =
        SubHealthDetectorTest.ENDPOINT
            .row()
            .key("tgid", pid)
            .key("comm", "python3")
            .key("role", "server")
            .key("client_ip", "")
            .key("toa_client_ip", "")
            .key("server_ip", "127.0.0.1")
            .key("server_port", PORT)
            .key("protocol", 2)
            .set("listendrop", counters[0])
            .set("accept_overflow", counters[1])
            .build();
    return new Sample(
        1_700_000_000_000L + ts, SubHealthDetectorTest.ID, 1_700_000_000_000L, List.of(row));
  }

  /** TcpExtListenDrops and TcpExtListenOverflows of the namespace, from /proc/net/netstat. */
  private static long[] listenCounters() throws Exception {
    String netstat = output("ip", "netns", "exec", NETNS, "cat", "/proc/net/netstat");
    String[] lines = netstat.split("\n");
    for (int i = 0; i + 1 < lines.length; i++) {
      if (lines[i].startsWith("TcpExt:") && lines[i + 1].startsWith("TcpExt:")) {
        List<String> names = List.of(lines[i].split(" "));
        String[] values = lines[i + 1].split(" ");
        return new long[] {
          Long.parseLong(values[names.indexOf("ListenDrops")]),
          Long.parseLong(values[names.indexOf("ListenOverflows")])
        };
      }
    }
    throw new IllegalStateException("no TcpExt lines in /proc/net/netstat of " + NETNS);
  }

  private static int run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    return p.waitFor();
  }

  private static void must(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
    }
  }

  private static String output(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed");
    }
    return out;
  }
}
