package io.gala.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts {@link KafkaBroker} as a child JVM of its own, for tests and launchers that need a real
 * broker: stop it (SIGTERM), kill it (SIGKILL), freeze it (SIGSTOP) and resume it (SIGCONT),
 * restart it on the same ports with the same data directory. The child's output goes to {@code
 * <dir>/broker.log}.
 *
 * <pre>{@code
 * try (BrokerProcess broker = BrokerProcess.start(tempDir)) {
 *   props.put("bootstrap.servers", broker.bootstrap());
 * }
 * }</pre>
 */
public final class BrokerProcess implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private final Path dir;
  private final int port;
  private final int controllerPort;
  private final List<String> extraArgs;
  private Process process;

  private BrokerProcess(Path dir, int port, int controllerPort, List<String> extraArgs) {
    this.dir = dir;
    this.port = port;
    this.controllerPort = controllerPort;
    this.extraArgs = List.copyOf(extraArgs);
  }

  /**
   * Starts a broker on two free loopback ports with its data in dir and waits until it is ready.
   */
  public static BrokerProcess start(Path dir, String... extraArgs) {
    BrokerProcess b = new BrokerProcess(dir, freePort(), freePort(), List.of(extraArgs));
    b.startProcess();
    return b;
  }

  /** The {@code bootstrap.servers} value. */
  public String bootstrap() {
    return "127.0.0.1:" + port;
  }

  public Path dir() {
    return dir;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  /**
   * Starts the broker again (after {@link #stop()} or {@link #kill()}) on the same ports and data.
   */
  public void restart() {
    if (isAlive()) {
      throw new IllegalStateException("broker pid " + process.pid() + " still runs; stop it first");
    }
    startProcess();
  }

  /** SIGTERM, as systemd stops it; waits for a clean shutdown. */
  public void stop() {
    process.destroy();
    awaitExit(Duration.ofSeconds(60));
  }

  /** SIGKILL: the broker dies without flushing; the OS keeps what it wrote. */
  public void kill() {
    process.destroyForcibly();
    awaitExit(Duration.ofSeconds(30));
  }

  /** SIGSTOP: the broker hangs with its sockets open. */
  public void freeze() {
    signal("STOP");
  }

  /** SIGCONT after {@link #freeze()}. */
  public void resume() {
    signal("CONT");
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      signal("CONT");
      process.destroy();
      try {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * The caller's class path without log4j-to-slf4j (Spring Boot's log4j bridge, on the class path
   * of Spring applications' tests), which the broker's log4j-slf4j2-impl refuses to start beside.
   */
  static String brokerClassPath() {
    return java.util.Arrays.stream(
            System.getProperty("java.class.path").split(java.io.File.pathSeparator))
        .filter(e -> !Path.of(e).getFileName().toString().startsWith("log4j-to-slf4j"))
        .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
  }

  private void startProcess() {
    try {
      Files.createDirectories(dir);
      List<String> cmd =
          new ArrayList<>(
              List.of(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-Xms64m",
                  "-Xmx320m",
                  "-XX:+UseSerialGC",
                  "-XX:TieredStopAtLevel=1",
                  "-Djava.awt.headless=true",
                  // A caller's class path may hold another SLF4J provider: the broker logs through
                  // log4j2.
                  "-Dslf4j.provider=org.apache.logging.slf4j.SLF4JServiceProvider",
                  "-cp",
                  brokerClassPath(),
                  KafkaBroker.class.getName(),
                  "--dir",
                  dir.toString(),
                  "--port",
                  String.valueOf(port),
                  "--controller-port",
                  String.valueOf(controllerPort)));
      cmd.addAll(extraArgs);
      Path log = dir.resolve("broker.log");
      long readyBefore = countReady(log);
      process =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
      awaitReady(log, readyBefore);
    } catch (IOException e) {
      throw new UncheckedIOException("could not start the kafka broker JVM in " + dir, e);
    }
  }

  /** Waits for a new ready line in the (appended) log and an open client port. */
  private void awaitReady(Path log, long readyBefore) throws IOException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "kafka broker exited with "
                + process.exitValue()
                + " during start; see "
                + log
                + ":\n"
                + tail(log));
      }
      if (countReady(log) > readyBefore && connectable()) {
        return;
      }
      sleep(200);
    }
    close();
    throw new IllegalStateException(
        "kafka broker not ready after "
            + START_TIMEOUT.toSeconds()
            + " s; see "
            + log
            + ":\n"
            + tail(log));
  }

  private static long countReady(Path log) throws IOException {
    if (!Files.exists(log)) {
      return 0;
    }
    try (var lines = Files.lines(log)) {
      return lines.filter(l -> l.startsWith(KafkaBroker.READY)).count();
    }
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private boolean connectable() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private void awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(
            "kafka broker pid " + process.pid() + " did not exit within " + timeout);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the broker to exit", e);
    }
  }

  private void signal(String sig) {
    try {
      Process kill =
          new ProcessBuilder("kill", "-" + sig, String.valueOf(process.pid())).inheritIO().start();
      if (kill.waitFor() != 0) {
        throw new IllegalStateException("kill -" + sig + " " + process.pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("kill -" + sig + " " + process.pid(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /**
   * A free TCP port on the loopback address (free now; a race with other processes is unlikely).
   */
  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port", e);
    }
  }
}
