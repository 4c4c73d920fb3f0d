package io.gala.agent.probe.tcp;

import io.gala.agent.probe.Identity;
import io.gala.agent.probe.ProbeConfig;
import io.gala.agent.probe.ProbeContext;
import io.gala.agent.probe.ProcessLabels;
import io.gala.agent.probe.Scope;
import io.gala.agent.table.Row;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Test fixture: network namespaces gt-tcp-a (10.200.71.1) and gt-tcp-b (10.200.71.2) joined by a
 * veth pair created inside them (nothing in the host namespace), commands run in them, and small
 * python3 clients and servers. Ports of these tests: 47100-47199. A test class registers it with
 * {@code @RegisterExtension static final Namespaces ns = new Namespaces();}: created before the
 * class's tests, removed after them (with every child process started through it).
 */
final class Namespaces implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
  static final String A = "gt-tcp-a";
  static final String B = "gt-tcp-b";
  static final String VETH_A = "gt-tcp-va";
  static final String VETH_B = "gt-tcp-vb";
  static final String IP_A = "10.200.71.1";
  static final String IP_B = "10.200.71.2";

  /** Accepts connections; reads each to EOF, then writes `reply` bytes and closes. */
  static final String SERVER =
      """
      import socket, sys, threading
      port, reply = int(sys.argv[1]), int(sys.argv[2])
      s = socket.socket()
      s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
      s.bind(('0.0.0.0', port))
      s.listen(512)
      print('ready', flush=True)
      def serve(c):
          while c.recv(1 << 16):
              pass
          if reply:
              c.sendall(b'r' * reply)
          c.close()
      while True:
          c, _ = s.accept()
          threading.Thread(target=serve, args=(c,), daemon=True).start()
      """;

  /**
   * n connections one after the other: send `size` bytes, half-close, read the reply to EOF, close.
   * An optional congestion control name applies to each socket (cubic fills a tbf queue; the host
   * default, bbr here, keeps it short, and only root may pick one outside
   * net.ipv4.tcp_allowed_congestion_control).
   */
  static final String CLIENT =
      """
      import socket, sys
      ip, port, n, size, reply = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
      cc = sys.argv[6].encode() if len(sys.argv) > 6 and sys.argv[6] else None
      payload = b'q' * size
      for i in range(n):
          c = socket.socket()
          if cc:
              c.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, cc)
          c.connect((ip, port))
          c.sendall(payload)
          c.shutdown(socket.SHUT_WR)
          got = 0
          while True:
              d = c.recv(1 << 16)
              if not d:
                  break
              got += len(d)
          c.close()
          if got != reply:
              sys.exit('connection %d: got %d reply bytes, expected %d' % (i, got, reply))
      print('done', flush=True)
      """;

  private final List<Process> children = new ArrayList<>();
  private Path scripts;

  /** Creates the namespaces now (outside a JUnit class, e.g. in a benchmark). */
  static Namespaces create() throws Exception {
    Namespaces ns = new Namespaces();
    ns.setUp();
    return ns;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    setUp();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    close();
  }

  private void setUp() throws Exception {
    deleteQuietly();
    run("ip", "netns", "add", A);
    run("ip", "netns", "add", B);
    run("ip", "-n", A, "link", "add", VETH_A, "type", "veth", "peer", "name", VETH_B, "netns", B);
    run("ip", "-n", A, "addr", "add", IP_A + "/24", "dev", VETH_A);
    run("ip", "-n", B, "addr", "add", IP_B + "/24", "dev", VETH_B);
    for (String ns : List.of(A, B)) {
      run("ip", "-n", ns, "link", "set", "lo", "up");
    }
    run("ip", "-n", A, "link", "set", VETH_A, "up");
    run("ip", "-n", B, "link", "set", VETH_B, "up");
    scripts = Files.createTempDirectory("gt-tcp");
    Files.writeString(scripts.resolve("server.py"), SERVER);
    Files.writeString(scripts.resolve("client.py"), CLIENT);
  }

  static long inode(String ns) {
    long ino = Scope.inode(Path.of("/run/netns", ns));
    if (ino == 0) {
      throw new IllegalStateException("no inode for /run/netns/" + ns);
    }
    return ino;
  }

  /** Starts the server in a namespace and waits until it listens. */
  Process server(String ns, int port, int reply) throws IOException {
    Process p =
        spawn(ns, "python3", scripts.resolve("server.py").toString(), "" + port, "" + reply);
    String line = new String(p.getInputStream().readNBytes(6), StandardCharsets.UTF_8);
    if (!line.startsWith("ready")) {
      throw new IllegalStateException("server in " + ns + " did not start: " + line + stderr(p));
    }
    return p;
  }

  /** Runs a python3 program in a namespace to completion; returns its pid. */
  long python(String ns, String program, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("python3", "-c", program));
    cmd.addAll(Arrays.asList(args));
    Process p = spawn(ns, cmd.toArray(String[]::new));
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("python in " + ns + " failed: " + stderr(p));
    }
    return p.pid();
  }

  /** Runs a client to completion; returns its pid. */
  long client(String ns, String ip, int port, int n, int size, int reply) throws Exception {
    Process p = startClient(ns, ip, port, n, size, reply, "");
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("client in " + ns + " failed: " + stderr(p));
    }
    return p.pid();
  }

  /**
   * A connection that stays open, idle after its first 10 bytes, until the process is destroyed.
   */
  Process holdOpen(String ns, String ip, int port) throws IOException {
    Process p =
        spawn(
            ns,
            "python3",
            "-c",
            "import socket, sys, time\n"
                + "c = socket.create_connection(('"
                + ip
                + "', "
                + port
                + "))\n"
                + "c.sendall(b'0123456789')\n"
                + "print('open', flush=True)\n"
                + "time.sleep(3600)\n");
    String line = new String(p.getInputStream().readNBytes(4), StandardCharsets.UTF_8);
    if (!line.equals("open")) {
      throw new IllegalStateException("connection from " + ns + " did not open: " + stderr(p));
    }
    return p;
  }

  /** Starts a client (see CLIENT); congestion control "" keeps the namespace's default. */
  Process startClient(String ns, String ip, int port, int n, int size, int reply, String cc)
      throws IOException {
    return spawn(
        ns,
        "python3",
        scripts.resolve("client.py").toString(),
        ip,
        "" + port,
        "" + n,
        "" + size,
        "" + reply,
        cc);
  }

  /** A child process inside a namespace (ip netns exec execs the command: same pid). */
  Process spawn(String ns, String... cmd) throws IOException {
    List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", ns));
    all.addAll(Arrays.asList(cmd));
    Process p = new ProcessBuilder(all).start();
    children.add(p);
    return p;
  }

  private static String stderr(Process p) {
    try {
      return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return e.toString();
    }
  }

  /** Runs a command, fails with its output when it fails; returns stdout. */
  static String run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
    }
    return out;
  }

  /**
   * A counter of the namespace's /proc/net/snmp (e.g. "Tcp", "RetransSegs"), as the kernel keeps
   * it.
   */
  static long snmp(String ns, String group, String field) throws Exception {
    return mib(ns, "/proc/net/snmp", group, field);
  }

  /** A counter of the namespace's /proc/net/netstat (e.g. "TcpExt", "TCPToZeroWindowAdv"). */
  static long netstat(String ns, String group, String field) throws Exception {
    return mib(ns, "/proc/net/netstat", group, field);
  }

  private static long mib(String ns, String file, String group, String field) throws Exception {
    String[] lines = run("ip", "netns", "exec", ns, "cat", file).split("\n");
    for (int i = 0; i + 1 < lines.length; i++) {
      if (lines[i].startsWith(group + ":") && lines[i + 1].startsWith(group + ":")) {
        List<String> names = Arrays.asList(lines[i].split("\\s+"));
        return Long.parseLong(lines[i + 1].split("\\s+")[names.indexOf(field)]);
      }
    }
    throw new IllegalStateException("no " + group + " " + field + " in " + file + " of " + ns);
  }

  static ProbeContext context(Scope scope, ProbeConfig config) {
    return new ProbeContext(new Identity("test", "127.0.0.1"), scope, config, new ProcessLabels());
  }

  static ProbeConfig running() {
    return new ProbeConfig(List.of(), ProbeConfig.Snoopers.NONE, Map.of(), ProbeConfig.RUNNING);
  }

  /** The latest row of every entity seen over several samples: closed connections appear once. */
  static final class Rows {
    final Map<String, Row> latest = new HashMap<>();

    void sample(TcpProbe probe) throws Exception {
      probe.sample(r -> latest.put(r.table().name() + "\u0000" + r.identity(), r));
    }

    List<Row> of(String table) {
      return latest.values().stream().filter(r -> r.table().name().equals(table)).toList();
    }

    /** Sum of a metric over tcp_link rows that match role and server port (and optional netns). */
    double sum(String metric, String role, int serverPort) {
      return of("tcp_link").stream()
          .filter(r -> r.key("role").equals(role) && r.key("server_port").equals("" + serverPort))
          .mapToDouble(r -> r.value(metric))
          .sum();
    }
  }

  private static void deleteQuietly() {
    for (String ns : List.of(A, B)) {
      try {
        new ProcessBuilder("ip", "netns", "del", ns).redirectErrorStream(true).start().waitFor();
      } catch (IOException e) {
        // not there
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void close() throws Exception {
    for (Process p : children) {
      p.destroyForcibly();
      p.waitFor(5, TimeUnit.SECONDS);
    }
    children.clear();
    deleteQuietly();
    if (scripts != null) {
      try (var files = Files.list(scripts)) {
        for (Path f : files.toList()) {
          Files.delete(f);
        }
      }
      Files.delete(scripts);
      scripts = null;
    }
  }
}
