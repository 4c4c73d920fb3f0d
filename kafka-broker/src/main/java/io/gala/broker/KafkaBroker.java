package io.gala.broker;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * Runs Apache Kafka's own broker in KRaft mode, one node that is both broker and controller, in
 * this JVM: formats the data directory with Kafka's StorageTool on first start (a persistent
 * directory keeps its cluster id and logs across restarts), then starts the server and runs until
 * SIGTERM/SIGINT.
 *
 * <pre>
 * java -Xmx320m -jar kafka-broker/target/kafka-broker.jar --dir /var/lib/gala/kafka --port 9092
 * </pre>
 *
 * Prints {@value #READY} followed by the bootstrap address on stdout once clients can connect, and
 * keeps its pid in {@code <dir>/broker.pid} while running.
 */
public final class KafkaBroker {
  /** The line prefix a launcher waits for. */
  public static final String READY = "gala kafka broker ready on ";

  static final String USAGE =
      """
      usage: java -jar kafka-broker.jar --dir DIR [--port 9092] [--controller-port PORT+1] [--host 127.0.0.1]
                                        [--retention-hours 24] [--config key=value]...
        --dir              data directory (created; formatted on first start, kept across restarts)
        --port             client listener port
        --controller-port  KRaft controller listener port
        --host             address both listeners bind to and advertise
        --retention-hours  how long topic data is kept
        --config           any other Kafka broker setting, repeatable (e.g. --config num.partitions=3)""";

  private KafkaBroker() {}

  /** The parsed command line. */
  record Options(
      Path dir,
      String host,
      int port,
      int controllerPort,
      int retentionHours,
      Map<String, String> extra) {
    static Options parse(String[] args) {
      Path dir = null;
      String host = "127.0.0.1";
      int port = 9092;
      int controllerPort = -1;
      int retention = 24;
      Map<String, String> extra = new LinkedHashMap<>();
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(a + " needs a value");
        }
        String v = args[++i];
        switch (a) {
          case "--dir" -> dir = Path.of(v);
          case "--host" -> host = v;
          case "--port" -> port = port(a, v);
          case "--controller-port" -> controllerPort = port(a, v);
          case "--retention-hours" -> retention = Integer.parseInt(v);
          case "--config" -> {
            int eq = v.indexOf('=');
            if (eq <= 0) {
              throw new IllegalArgumentException("--config wants key=value, not " + v);
            }
            extra.put(v.substring(0, eq), v.substring(eq + 1));
          }
          default -> throw new IllegalArgumentException("unknown option " + a);
        }
      }
      if (dir == null) {
        throw new IllegalArgumentException("--dir is required");
      }
      return new Options(
          dir, host, port, controllerPort < 0 ? port + 1 : controllerPort, retention, extra);
    }

    private static int port(String name, String v) {
      int p = Integer.parseInt(v);
      if (p < 1 || p > 65535) {
        throw new IllegalArgumentException(name + " must be in [1, 65535], not " + v);
      }
      return p;
    }

    String bootstrap() {
      return host + ":" + port;
    }
  }

  /** The broker settings: a single combined node with replication factors of one. */
  static Properties properties(Options o) {
    Properties p = new Properties();
    p.setProperty("process.roles", "broker,controller");
    p.setProperty("node.id", "1");
    p.setProperty("controller.quorum.voters", "1@" + o.host() + ":" + o.controllerPort());
    p.setProperty(
        "listeners",
        "PLAINTEXT://"
            + o.host()
            + ":"
            + o.port()
            + ",CONTROLLER://"
            + o.host()
            + ":"
            + o.controllerPort());
    p.setProperty("advertised.listeners", "PLAINTEXT://" + o.host() + ":" + o.port());
    p.setProperty("controller.listener.names", "CONTROLLER");
    p.setProperty("inter.broker.listener.name", "PLAINTEXT");
    p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.setProperty("log.dirs", o.dir().resolve("data").toAbsolutePath().toString());
    p.setProperty("num.partitions", "1");
    p.setProperty("auto.create.topics.enable", "true");
    p.setProperty("offsets.topic.replication.factor", "1");
    p.setProperty("offsets.topic.num.partitions", "5");
    p.setProperty("transaction.state.log.replication.factor", "1");
    p.setProperty("transaction.state.log.min.isr", "1");
    p.setProperty("share.coordinator.state.topic.replication.factor", "1");
    p.setProperty("share.coordinator.state.topic.min.isr", "1");
    p.setProperty("group.initial.rebalance.delay.ms", "0");
    // Small footprint: this broker shares a node with the agent or the server.
    p.setProperty("num.network.threads", "2");
    p.setProperty("num.io.threads", "2");
    p.setProperty("num.recovery.threads.per.data.dir", "1");
    p.setProperty("log.cleaner.threads", "1");
    p.setProperty("log.retention.hours", String.valueOf(o.retentionHours()));
    p.setProperty("log.segment.bytes", String.valueOf(64 * 1024 * 1024));
    o.extra().forEach(p::setProperty);
    return p;
  }

  public static void main(String[] args) {
    Options o;
    try {
      o = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("kafka-broker: " + e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
      return;
    }
    try {
      run(o);
    } catch (Exception e) {
      System.err.println(
          "kafka-broker: failed to start on "
              + o.bootstrap()
              + " with data in "
              + o.dir()
              + ": "
              + e);
      e.printStackTrace();
      System.exit(1);
    }
  }

  static void run(Options o) throws IOException, InterruptedException {
    Files.createDirectories(o.dir().resolve("data"));
    Properties props = properties(o);
    Path propsFile = o.dir().resolve("server.properties");
    try (OutputStream out = Files.newOutputStream(propsFile)) {
      props.store(
          out,
          "written by io.gala.broker.KafkaBroker at each start; edit the command line instead");
    }
    format(o, propsFile);
    KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
    Path pidFile = o.dir().resolve("broker.pid");
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.shutdown();
                  try {
                    Files.deleteIfExists(pidFile);
                  } catch (IOException ignored) {
                    // the next start overwrites it
                  }
                },
                "kafka-broker-shutdown"));
    server.startup();
    Files.writeString(pidFile, ProcessHandle.current().pid() + "\n");
    System.out.println(READY + o.bootstrap() + " (data in " + o.dir().toAbsolutePath() + ")");
    System.out.flush();
    server.awaitShutdown();
  }

  /** Formats the data directory unless it already is (then keeps its cluster id and data). */
  static void format(Options o, Path propsFile) throws IOException {
    if (Files.exists(o.dir().resolve("data").resolve("meta.properties"))) {
      return;
    }
    List<String> args =
        new ArrayList<>(
            List.of(
                "format",
                "-t",
                Uuid.randomUuid().toString(),
                "-c",
                propsFile.toString(),
                "--ignore-formatted"));
    java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
    int rc =
        StorageTool.execute(
            args.toArray(String[]::new), new PrintStream(buf, true, StandardCharsets.UTF_8));
    String out = buf.toString(StandardCharsets.UTF_8).trim();
    if (rc != 0) {
      throw new IOException(
          "kafka storage format of " + o.dir() + " failed (exit " + rc + "): " + out);
    }
    System.out.println(out);
  }
}
