package io.gala.agent.probe.socket;

import io.gala.agent.probe.Identity;
import io.gala.agent.probe.ProbeConfig;
import io.gala.agent.probe.ProbeContext;
import io.gala.agent.probe.ProcessLabels;
import io.gala.agent.probe.Scope;
import io.gala.agent.table.Row;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Test fixture: network namespaces gt-sock-a (10.200.74.1) and gt-sock-b (10.200.74.2) joined by a
 * veth pair created inside them, python3 listeners and clients run in them as children of the test,
 * and the namespaces' own TCP counters. Ports of these tests: 47400-47499.
 */
final class SocketNamespaces implements AutoCloseable {
  static final String A = "gt-sock-a";
  static final String B = "gt-sock-b";
  static final String IP_A = "10.200.74.1";
  static final String IP_B = "10.200.74.2";

  /** A listener that never accepts: argv ip, port, backlog, TCP_DEFER_ACCEPT seconds (0 = off). */
  static final String LISTENER =
      """
      import socket, sys, time
      ip, port, backlog, defer = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
      s = socket.socket()
      s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
      if defer:
          s.setsockopt(socket.IPPROTO_TCP, socket.TCP_DEFER_ACCEPT, defer)
      s.bind((ip, port))
      s.listen(backlog)
      print('ready', flush=True)
      sys.stdin.read()
      """;

  /**
   * A listener that accepts and closes every connection: argv ip ('::' listens dual-stack), port,
   * number of SO_REUSEPORT sockets on the address.
   */
  static final String SERVER =
      """
      import selectors, socket, sys
      ip, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
      sel = selectors.DefaultSelector()
      for i in range(count):
          s = socket.socket(socket.AF_INET6 if ':' in ip else socket.AF_INET)
          s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
          s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
          if ':' in ip:
              s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
          s.bind((ip, port))
          s.listen(64)
          sel.register(s, selectors.EVENT_READ)
      print('ready', flush=True)
      while True:
          for key, _ in sel.select():
              c, _ = key.fileobj.accept()
              c.close()
      """;

  /** n connects one after the other, each closed once established or refused: argv ip, port, n. */
  static final String CONNECTS =
      """
      import socket, sys
      ip, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
      for i in range(n):
          try:
              socket.create_connection((ip, port), timeout=5).close()
          except ConnectionRefusedError:
              pass
      """;

  /**
   * n non-blocking connects at once; after a pause each sends one byte (a data segment completes a
   * deferred handshake); the sockets are held `hold` seconds, then reset (SO_LINGER 0), so that no
   * handshake or FIN keeps retransmitting after the storm.
   */
  static final String STORM =
      """
      import socket, struct, sys, time
      ip, port, n, hold = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
      socks = []
      for i in range(n):
          s = socket.socket()
          s.setblocking(False)
          try:
              s.connect((ip, port))
          except BlockingIOError:
              pass
          socks.append(s)
      time.sleep(0.3)
      for s in socks:
          try:
              s.send(b'x')
          except OSError:
              pass
      time.sleep(hold)
      for s in socks:
          s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
          s.close()
      """;

  private final List<Process> children = new ArrayList<>();

  SocketNamespaces() throws Exception {
    deleteQuietly();
    run("ip", "netns", "add", A);
    run("ip", "netns", "add", B);
    run(
        "ip",
        "-n",
        A,
        "link",
        "add",
        "gt-sock-va",
        "type",
        "veth",
        "peer",
        "name",
        "gt-sock-vb",
        "netns",
        B);
    run("ip", "-n", A, "addr", "add", IP_A + "/24", "dev", "gt-sock-va");
    run("ip", "-n", B, "addr", "add", IP_B + "/24", "dev", "gt-sock-vb");
    for (String ns : List.of(A, B)) {
      run("ip", "-n", ns, "link", "set", "lo", "up");
    }
    run("ip", "-n", A, "link", "set", "gt-sock-va", "up");
    run("ip", "-n", B, "link", "set", "gt-sock-vb", "up");
  }

  static long inode(String ns) {
    long ino = Scope.inode(Path.of("/run/netns", ns));
    if (ino == 0) {
      throw new IllegalStateException("no inode for /run/netns/" + ns);
    }
    return ino;
  }

  /**
   * Starts a listener that never accepts and waits until it listens; stop it with {@link #stop}.
   */
  Process listener(String ns, String ip, int port, int backlog, int deferSeconds)
      throws IOException {
    Process p =
        spawn(ns, "python3", "-c", LISTENER, ip, "" + port, "" + backlog, "" + deferSeconds);
    String line = new String(p.getInputStream().readNBytes(6), StandardCharsets.UTF_8);
    if (!line.startsWith("ready")) {
      throw new IllegalStateException("listener in " + ns + " did not start: " + line + stderr(p));
    }
    return p;
  }

  /** Starts an accepting server (see SERVER) and waits until it listens. */
  Process server(String ns, String ip, int port, int sockets) throws IOException {
    Process p = spawn(ns, "python3", "-c", SERVER, ip, "" + port, "" + sockets);
    String line = new String(p.getInputStream().readNBytes(6), StandardCharsets.UTF_8);
    if (!line.startsWith("ready")) {
      throw new IllegalStateException("server in " + ns + " did not start: " + line + stderr(p));
    }
    return p;
  }

  /** Ends a listener (it exits when its stdin closes) and waits for it. */
  static void stop(Process listener) throws Exception {
    listener.getOutputStream().close();
    if (!listener.waitFor(10, TimeUnit.SECONDS)) {
      listener.destroyForcibly();
    }
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
   * The namespace's TCP counters as nstat reports them (absolute), e.g. TcpExtListenDrops,
   * TcpPassiveOpens.
   */
  static Map<String, Long> nstat(String ns) throws Exception {
    Map<String, Long> out = new HashMap<>();
    for (String line : run("ip", "netns", "exec", ns, "nstat", "-az").split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length >= 2 && f[0].matches("[A-Za-z0-9]+") && f[1].matches("\\d+")) {
        out.put(f[0], Long.parseLong(f[1]));
      }
    }
    return out;
  }

  /** The namespace's counters, once they stayed the same for a second (retransmit timers quiet). */
  static Map<String, Long> nstatSettled(String ns, List<String> fields) throws Exception {
    Map<String, Long> last = null;
    for (int i = 0; i < 60; i++) {
      Map<String, Long> now = nstat(ns);
      Map<String, Long> prev = last;
      if (prev != null && fields.stream().allMatch(f -> now.get(f).equals(prev.get(f)))) {
        return now;
      }
      last = now;
      Thread.sleep(1000);
    }
    throw new IllegalStateException("TCP counters of " + ns + " still moving after 60 s: " + last);
  }

  static ProbeContext context(Scope scope) {
    return new ProbeContext(
        new Identity("test", "127.0.0.1"),
        scope,
        new ProbeConfig(List.of(), ProbeConfig.Snoopers.NONE, Map.of(), ProbeConfig.RUNNING),
        new ProcessLabels());
  }

  /** The rows of one sample. */
  static List<Row> sample(SocketProbe probe) throws Exception {
    List<Row> rows = new ArrayList<>();
    probe.sample(rows::add);
    return rows;
  }

  /** The one row of a table that matches, or null. */
  static Row find(List<Row> rows, String table, Predicate<Row> match) {
    List<Row> found =
        rows.stream().filter(r -> r.table().name().equals(table)).filter(match).toList();
    if (found.size() > 1) {
      throw new IllegalStateException("several " + table + " rows match: " + found);
    }
    return found.isEmpty() ? null : found.get(0);
  }

  static double value(Row r, String metric) {
    return r == null ? 0 : r.value(metric);
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
    deleteQuietly();
  }
}
