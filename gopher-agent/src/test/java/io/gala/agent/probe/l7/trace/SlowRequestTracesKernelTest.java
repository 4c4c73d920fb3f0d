package io.gala.agent.probe.l7.trace;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gala.agent.GopherAgentHandle;
import io.gala.agent.config.AgentConfig;
import io.gala.agent.testing.KernelTest;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole agent with the l7 probe on redis-server under redis-benchmark, while the test issues
 * one {@code DEBUG SLEEP 0.05}: that request must be in the slow requests served over REST and be
 * the slowest span an OTLP receiver decodes, no faster than Redis's own SLOWLOG says the command
 * ran, and the spans must be exactly the slow requests the REST API lists. Redis runs commands on
 * one thread: a benchmark request read in the same event-loop pass as the DEBUG waits for it and
 * may come out a little slower; such a request must span the whole DEBUG (started before it, ended
 * after it). With 10 benchmark connections, at most 10 can be blocked so, hence 20 slow requests
 * per period.
 */
@KernelTest
class SlowRequestTracesKernelTest {
  private static final int PORT = 16400;
  private static final int PER_PERIOD = 20;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static Process redis;
  @TempDir Path dir;

  @BeforeAll
  static void startRedis() throws Exception {
    redis =
        new ProcessBuilder(
                "redis-server",
                "--port",
                Integer.toString(PORT),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--protected-mode",
                "no",
                "--enable-debug-command",
                "yes",
                "--slowlog-log-slower-than",
                "10000",
                "--slowlog-max-len",
                "128")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    for (int i = 0; ; i++) {
      try (Socket s = new Socket("127.0.0.1", PORT)) {
        break;
      } catch (IOException e) {
        if (i > 200 || !redis.isAlive()) {
          throw new IllegalStateException(
              "redis-server on port " + PORT + " did not start (alive: " + redis.isAlive() + ")");
        }
        Thread.sleep(50);
      }
    }
  }

  @AfterAll
  static void stopRedis() throws Exception {
    if (redis != null) {
      redis.destroy();
      if (!redis.waitFor(10, TimeUnit.SECONDS)) {
        redis.destroyForcibly();
      }
    }
  }

  @Test
  void debugSleepIsTheSlowestRequestOverRestAndAsOtlpSpanBesideThoseBlockedBehindIt()
      throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    try (OtlpReceiver receiver = new OtlpReceiver()) {
      AgentConfig config = new AgentConfig();
      config.machineId = "test-l7trace";
      config.export.port = 0;
      config.control.port = 0;
      config.control.probesInit = dir.resolve("probes.init").toString();
      config.defaultProbes = List.of();
      config.samplePeriodMs =
          60_000; // the test samples itself; a scheduled sample only splits a period
      config.otel.endpoint = receiver.endpoint();
      config.validate();

      JsonNode rest;
      long slowlogMicros;
      try (GopherAgentHandle agent = GopherAgentHandle.start(config, GopherAgentHandle.catalog())) {
        String l7 =
            "{\"state\":\"running\",\"cmd\":{\"probe\":[\"l7_rpc_metrics\",\"l7_rpc_trace\"]},"
                + "\"snoopers\":{\"proc_id\":["
                + redis.pid()
                + "]},"
                + "\"params\":{\"l7_protocol\":\"redis\",\"slow_requests\":"
                + PER_PERIOD
                + ",\"ringbuf_kb\":16384}}";
        HttpResponse<String> put =
            http.send(
                HttpRequest.newBuilder(uri(agent, "/l7"))
                    .PUT(HttpRequest.BodyPublishers.ofString(l7))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
        assertThat(put.body()).contains("\"state\":\"running\"");
        run("redis-cli", "-p", Integer.toString(PORT), "SLOWLOG", "RESET");

        Process bench =
            new ProcessBuilder(
                    "redis-benchmark",
                    "-p",
                    Integer.toString(PORT),
                    "-c",
                    "10",
                    "-n",
                    "20000",
                    "-t",
                    "set,get",
                    "-q")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        Thread.sleep(300);
        agent.agent().sampler().sampleNow(); // a first period of benchmark requests only
        assertThat(run("redis-cli", "-p", Integer.toString(PORT), "DEBUG", "SLEEP", "0.05"))
            .contains("OK");
        assertThat(bench.waitFor(120, TimeUnit.SECONDS)).as("redis-benchmark ends").isTrue();
        assertThat(bench.exitValue()).isZero();
        Thread.sleep(500); // let the ring buffer drain
        agent.agent().sampler().sampleNow();
        slowlogMicros =
            debugSleepMicros(
                run("redis-cli", "-p", Integer.toString(PORT), "SLOWLOG", "GET", "128"));

        HttpResponse<String> get =
            http.send(
                HttpRequest.newBuilder(uri(agent, "/l7/slow_requests")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(200);
        rest = JSON.readTree(get.body());
      } // closing the agent flushes the span exporter

      List<JsonNode> requests = new ArrayList<>();
      long previousTs = Long.MAX_VALUE;
      for (JsonNode p : rest.get("periods")) {
        assertThat(p.get("timestamp").asLong()).as("newest period first").isLessThan(previousTs);
        previousTs = p.get("timestamp").asLong();
        assertThat(p.get("requests").size())
            .as("at most slow_requests per period")
            .isBetween(1, PER_PERIOD);
        p.get("requests").forEach(requests::add);
      }
      assertThat(rest.get("periods").size()).as("%s", rest).isGreaterThanOrEqualTo(2);
      JsonNode debug =
          requests.stream()
              .filter(r -> r.get("api").asText().equals("DEBUG"))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no DEBUG among the slow requests: " + rest));
      System.out.printf(
          "l7trace: DEBUG %s, SLOWLOG %d us, %d slow requests in %d periods%n",
          debug, slowlogMicros, requests.size(), rest.get("periods").size());
      assertThat(debug.get("text").asText()).isEqualTo("DEBUG ? ?");
      assertThat(debug.get("latency_ns").asLong())
          .isGreaterThanOrEqualTo(50_000_000L)
          .isGreaterThanOrEqualTo(slowlogMicros * 1000)
          .isLessThan(slowlogMicros * 1000 + 1_000_000_000L);
      assertThat(
              requests.stream()
                  .filter(r -> r.get("latency_ns").asLong() > debug.get("latency_ns").asLong()))
          .as(
              "every request slower than DEBUG waited for it: started before it and ended with or after it")
          .allSatisfy(
              r -> {
                assertThat(startMs(r)).isLessThanOrEqualTo(startMs(debug) + 1);
                assertThat(r.get("timestamp").asLong())
                    .isGreaterThanOrEqualTo(debug.get("timestamp").asLong() - 1);
              });
      assertThat(debug.get("tgid").asLong()).isEqualTo(redis.pid());
      assertThat(debug.get("comm").asText()).isEqualTo("redis-server");
      assertThat(debug.get("l7_role").asText()).isEqualTo("server");
      assertThat(debug.get("server").asText()).isEqualTo("127.0.0.1:" + PORT);
      assertThat(requests)
          .allSatisfy(r -> assertThat(r.get("protocol").asText()).isEqualTo("redis"));

      List<OtlpReceiver.Received> spans =
          receiver.await(l -> l.size() >= requests.size(), Duration.ofSeconds(20));
      assertThat(
              spans.stream()
                  .map(
                      s ->
                          s.span().getName()
                              + " "
                              + s.latencyNs()
                              + " "
                              + s.span().getEndTimeUnixNano()))
          .as("one span per slow request served over REST")
          .containsExactlyInAnyOrderElementsOf(
              requests.stream()
                  .map(
                      r ->
                          "redis "
                              + r.get("api").asText()
                              + " "
                              + r.get("latency_ns").asLong()
                              + " "
                              + r.get("timestamp").asLong() * 1_000_000)
                  .toList());
      // The slowest span apart from those blocked behind the DEBUG (listed over REST and checked
      // above).
      OtlpReceiver.Received top =
          spans.stream()
              .filter(
                  s ->
                      s.span().getName().equals("redis DEBUG")
                          || s.latencyNs() < debug.get("latency_ns").asLong())
              .max(Comparator.comparingLong(OtlpReceiver.Received::latencyNs))
              .orElseThrow();
      assertThat(top.span().getName()).isEqualTo("redis DEBUG");
      assertThat(top.latencyNs()).isEqualTo(debug.get("latency_ns").asLong());
      assertThat(top.latencyNs())
          .isGreaterThanOrEqualTo(50_000_000L)
          .isGreaterThanOrEqualTo(slowlogMicros * 1000);
      assertThat(top.span().getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
      assertThat(top.string("db.system")).isEqualTo("redis");
      assertThat(top.string("db.statement")).isEqualTo("DEBUG ? ?");
      assertThat(top.number("process.pid")).isEqualTo(redis.pid());
      assertThat(top.string("server.address")).isEqualTo("127.0.0.1");
      assertThat(top.number("server.port")).isEqualTo((long) PORT);
      assertThat(top.string("network.peer.address")).isEqualTo("127.0.0.1");
    }
  }

  /** Request start in epoch ms (its end in ms minus its latency). */
  private static double startMs(JsonNode r) {
    return r.get("timestamp").asLong() - r.get("latency_ns").asLong() / 1e6;
  }

  private static URI uri(GopherAgentHandle agent, String path) {
    return URI.create("http://127.0.0.1:" + agent.controlPort() + path);
  }

  /**
   * The duration Redis's SLOWLOG recorded for the DEBUG command (raw redis-cli output: id, time,
   * us, args...).
   */
  static long debugSleepMicros(String slowlog) {
    String[] lines = slowlog.split("\r?\n");
    for (int i = 1; i < lines.length; i++) {
      if (lines[i].equalsIgnoreCase("DEBUG")) {
        return Long.parseLong(lines[i - 1].strip());
      }
    }
    throw new AssertionError("no DEBUG in SLOWLOG GET: " + slowlog);
  }

  private static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
    }
    return out;
  }
}
