package io.gala.agent;

import io.gala.agent.config.AgentConfig;
import io.gala.agent.config.NodeIdentity;
import io.gala.agent.control.ProbeControl;
import io.gala.agent.event.SubHealthDetector;
import io.gala.agent.export.PrometheusExporter;
import io.gala.agent.http.HttpServer;
import io.gala.agent.kafka.KafkaConfig;
import io.gala.agent.kafka.KafkaExporter;
import io.gala.agent.probe.Identity;
import io.gala.agent.probe.ProbeContext;
import io.gala.agent.probe.ProbeManager;
import io.gala.agent.probe.ProbeSpec;
import io.gala.agent.probe.ProcessLabels;
import io.gala.agent.probe.Sampler;
import io.gala.agent.probe.Scope;
import io.gala.agent.probe.l7.L7Probe;
import io.gala.agent.probe.l7.trace.OtlpSpans;
import io.gala.agent.probe.l7.trace.SlowRequestTraces;
import io.gala.agent.table.TableDef;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;

/**
 * The per-node agent: probes, sampler, Prometheus exporter on :8888 and probe control on :9999,
 * wired from one {@link AgentConfig}. {@code main} runs it until SIGTERM/SIGINT, then detaches
 * every program.
 */
public final class GopherAgent implements AutoCloseable {
  /** Looked up when used, not at class initialisation: main must install the log manager first. */
  private static Logger log() {
    return Logger.getLogger(GopherAgent.class.getName());
  }

  static final TableDef AGENT_HTTP =
      TableDef.builder("agent_http")
          .keys("endpoint")
          .counter("requests", "", "HTTP requests served")
          .counter("rejected", "", "HTTP requests refused: bad token, too large, malformed")
          .build();
  static final TableDef AGENT_CONTROL =
      TableDef.builder("agent_control")
          .counter(
              "invalid_requests", "", "Probe control requests refused as invalid (400/404/405)")
          .build();

  private final AgentConfig config;
  private final Identity identity;
  private final Scope scope;
  private final ProbeManager probes;
  private final Sampler sampler;
  private final PrometheusExporter exporter;
  private final ProbeControl control;
  private final KafkaExporter kafka;
  private final SlowRequestTraces slowRequests;
  private final EventLoopGroup loop = new NioEventLoopGroup(1);
  private HttpServer exportServer;
  private HttpServer controlServer;

  public GopherAgent(AgentConfig config, List<ProbeSpec> catalog) {
    this.config = config;
    this.identity = NodeIdentity.resolve(config);
    this.scope =
        config.netns.isEmpty() ? Scope.HOST : new Scope(Scope.inode(netnsPath(config.netns)));
    if (!config.netns.isEmpty() && scope.netnsInode() == 0) {
      throw new IllegalArgumentException(
          "netns "
              + config.netns
              + " not found (looked at "
              + netnsPath(config.netns)
              + "); create it with `ip netns add` or give a path like /proc/<pid>/ns/net");
    }
    ProcessLabels labels = new ProcessLabels();
    this.probes = new ProbeManager(catalog, cfg -> new ProbeContext(identity, scope, cfg, labels));
    this.sampler = new Sampler(probes, identity, config.samplePeriodMs);
    this.exporter = new PrometheusExporter(config.ageOutSeconds * 1000, config.export.timestamps);
    this.control = new ProbeControl(probes, Path.of(config.control.probesInit));
    sampler.addListener(exporter);
    KafkaConfig kafkaConfig = KafkaConfig.fromMap(config.kafka);
    this.kafka = kafkaConfig.enabled() ? new KafkaExporter(kafkaConfig) : null;
    if (kafka != null) {
      sampler.addListener(kafka);
      // Sub-health events need a channel: they go out on Kafka, with thresholds from each probe's
      // params.
      sampler.addListener(
          new SubHealthDetector(
              p ->
                  probes.specs().containsKey(p)
                      ? probes.state(p).config().params()
                      : java.util.Map.of(),
              kafka::publish));
      sampler.addRowSource(kafka::selfRows);
    }
    // l7's slowest requests of each period: REST, Kafka events when Kafka is on, OTLP spans when
    // configured.
    this.slowRequests =
        new SlowRequestTraces(
            () -> probes.running("l7") instanceof L7Probe l7 ? l7.slowRequests() : List.of(),
            kafka == null ? null : kafka::publish,
            config.otel.enabled()
                ? OtlpSpans.start(
                    config.otel.endpoint,
                    java.time.Duration.ofMillis(config.otel.timeoutMs),
                    identity)
                : null);
    sampler.addListener(slowRequests);
    control.addView("/l7/slow_requests", slowRequests::json);
  }

  static Path netnsPath(String netns) {
    return netns.contains("/") ? Path.of(netns) : Path.of("/run/netns", netns);
  }

  public Identity identity() {
    return identity;
  }

  public Scope scope() {
    return scope;
  }

  public Sampler sampler() {
    return sampler;
  }

  public ProbeManager probes() {
    return probes;
  }

  public PrometheusExporter exporter() {
    return exporter;
  }

  /** Restores probe configuration, opens both endpoints and starts sampling. */
  public GopherAgent start() throws Exception {
    log()
        .info(
            () ->
                "gala agent "
                    + identity.machineId()
                    + (scope.isHost() ? "" : " scoped to netns inode " + scope.netnsInode()));
    control.restore(config.defaultProbes);
    exportServer =
        HttpServer.start(
            "exporter",
            loop,
            config.export.address,
            config.export.port,
            config.export.token,
            4096,
            req -> exporter.scrape(req.path()));
    controlServer =
        HttpServer.start(
            "probe control",
            loop,
            config.control.address,
            config.control.port,
            config.control.token,
            1024 * 1024,
            control::handle);
    sampler.addRowSource(
        sink -> {
          sink.accept(
              AGENT_HTTP
                  .row()
                  .key("endpoint", "export")
                  .set("requests", exportServer.requests())
                  .set("rejected", exportServer.rejected())
                  .build());
          sink.accept(
              AGENT_HTTP
                  .row()
                  .key("endpoint", "control")
                  .set("requests", controlServer.requests())
                  .set("rejected", controlServer.rejected())
                  .build());
          sink.accept(
              AGENT_CONTROL.row().set("invalid_requests", control.invalidRequests()).build());
        });
    sampler.start();
    return this;
  }

  public int exportPort() {
    return exportServer.port();
  }

  public int controlPort() {
    return controlServer.port();
  }

  @Override
  public void close() {
    sampler.close();
    if (exportServer != null) {
      exportServer.close();
    }
    if (controlServer != null) {
      controlServer.close();
    }
    probes.close();
    slowRequests.close();
    if (kafka != null) {
      kafka.close();
    }
    loop.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }

  public static void main(String[] args) throws Exception {
    Logging.useAgentLogManager();
    Logging.configure();
    AgentConfig config;
    try {
      config = CommandLine.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("gopher-agent: " + e.getMessage());
      System.err.println(CommandLine.USAGE);
      System.exit(2);
      return;
    }
    GopherAgent agent = new GopherAgent(config, ProbeCatalog.all()).start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log().info("stopping: detaching all probes");
                  agent.close();
                  log().info("stopped");
                  Logging.close();
                  stopped.countDown();
                },
                "shutdown"));
    log()
        .info(
            () ->
                "metrics on http://"
                    + config.export.address
                    + ":"
                    + agent.exportPort()
                    + "/metrics, probe control on http://"
                    + config.control.address
                    + ":"
                    + agent.controlPort()
                    + "/<probe>");
    stopped.await();
  }
}
