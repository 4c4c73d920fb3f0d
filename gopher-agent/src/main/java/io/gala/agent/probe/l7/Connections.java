package io.gala.agent.probe.l7;

import io.gala.agent.probe.ProcessInfo;
import io.gala.agent.probe.ProcessLabels;
import io.gala.agent.probe.l7.ProtocolDetector.Detection;
import io.gala.agent.probe.l7.http.HttpParser;
import io.gala.agent.probe.l7.kafka.KafkaParser;
import io.gala.agent.probe.l7.mysql.MysqlParser;
import io.gala.agent.probe.l7.pgsql.PgsqlParser;
import io.gala.agent.probe.l7.protocol.Exchange;
import io.gala.agent.probe.l7.protocol.ExchangeSink;
import io.gala.agent.probe.l7.protocol.Protocol;
import io.gala.agent.probe.l7.protocol.StreamParser;
import io.gala.agent.probe.l7.redis.RedisParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * The sockets the capture reports, from first segment to close: detects each one's protocol from
 * its first segments, feeds the parser, counts bytes into the link, and tells the kernel to stop
 * sending a socket that carries nothing to parse. Bounded: the least recently active connection is
 * dropped when the table is full, and connections idle for long are dropped (their close may have
 * been missed). Used from the ring buffer thread only.
 */
final class Connections {
  private static final Logger LOG = Logger.getLogger(Connections.class.getName());

  /** Segments and bytes looked at before a connection is declared not parseable. */
  private static final int DETECT_SEGMENTS = 8;

  /** Small segments of one direction put together before detection. */
  static final int DETECT_PREFIX = 64;

  private static final long DETECT_BYTES = 16 * 1024;
  private static final long IDLE_NS = 600_000_000_000L;
  private static final int SWEEP_EVERY = 65536;
  private static final int MAX_INSTANCES = 4096;

  private final L7Metrics metrics;
  private final ProcessLabels processes;
  private final Set<Protocol> protocols;
  private final StreamParser.Limits limits;
  private final int maxConnections;
  private final Verdicts ignore;
  private final Map<Long, Connection> connections = new LinkedHashMap<>(1024, 0.75f, true);

  /** Server endpoint (ip:port) -> the instance's tgid, last resolved through /proc. */
  private final Map<String, Long> instances = new java.util.HashMap<>();

  private long events;
  private long evicted;
  private long ignored;
  private long parserFailures;
  private long desyncs;

  /**
   * @param ignore tells the kernel to send nothing more for a socket
   */
  Connections(
      L7Metrics metrics,
      ProcessLabels processes,
      Set<Protocol> protocols,
      StreamParser.Limits limits,
      int maxConnections,
      Verdicts ignore) {
    this.metrics = metrics;
    this.processes = processes;
    this.protocols = protocols;
    this.limits = limits;
    this.maxConnections = maxConnections;
    this.ignore = ignore;
  }

  /**
   * One I/O of a socket: {@code captured} bytes at data[0] of an I/O that moved {@code length}
   * bytes.
   */
  void onData(
      long sock,
      long tgid,
      long ts,
      boolean sent,
      byte[] data,
      int captured,
      long length,
      NewConnection addresses) {
    if (++events % SWEEP_EVERY == 0) {
      sweep(ts);
    }
    Connection c = connections.get(sock);
    if (c == null) {
      c =
          new Connection(
              sock,
              tgid,
              addresses.local(),
              addresses.localPort(),
              addresses.remote(),
              addresses.remotePort());
      c.comm = addresses.comm();
      c.parentTgid = addresses.parentTgid();
      c.slot = addresses.slot();
      connections.put(sock, c);
      if (connections.size() > maxConnections) {
        Iterator<Connection> oldest = connections.values().iterator();
        finish(oldest.next());
        oldest.remove();
        evicted++;
      }
    }
    c.lastSeenNs = ts;
    switch (c.state) {
      case IGNORED -> {} // in flight before the kernel saw the verdict
      case DETECTING -> detect(c, ts, sent, data, captured, length);
      case PARSING -> parse(c, ts, sent, data, captured, length);
      default -> throw new IllegalStateException(c.state.toString());
    }
  }

  /** What the event tells about a connection seen the first time (read only when needed). */
  interface NewConnection {
    String local();

    int localPort();

    String remote();

    int remotePort();

    /** The process name at the socket's first event, "" when the kernel did not send it. */
    String comm();

    /** The parent's tgid at the socket's first event, 0 when the kernel did not send it. */
    long parentTgid();

    /** The socket's slot in the kernel's verdict cache. */
    int slot();
  }

  /** Tells the kernel to send nothing more for a socket. */
  @FunctionalInterface
  interface Verdicts {
    void ignore(long sock, int slot);
  }

  private void detect(Connection c, long ts, boolean sent, byte[] data, int captured, long length) {
    c.io.add(sent, length);
    int dir = sent ? 1 : 0;
    byte[] head = data;
    int headLen = captured;
    long headLength = length;
    int earlier = c.prefixLen[dir];
    if (earlier > 0) {
      // Earlier small segments of this direction come first.
      headLen = Math.min(earlier + captured, DETECT_PREFIX + captured);
      head = new byte[headLen];
      System.arraycopy(c.prefix[dir], 0, head, 0, earlier);
      System.arraycopy(data, 0, head, earlier, headLen - earlier);
      headLength = earlier + length;
    }
    Detection d = headLen > 0 ? ProtocolDetector.detect(head, headLen, headLength) : null;
    if (d == null && earlier > 0 && captured > 0) {
      d = ProtocolDetector.detect(data, captured, length); // the earlier bytes were something else
      earlier = d == null ? earlier : 0;
    }
    if (d == null) {
      keepPrefix(c, dir, ts, data, captured, length);
      c.probes++;
      c.probedBytes += length;
      if (c.probes >= DETECT_SEGMENTS || c.probedBytes >= DETECT_BYTES) {
        giveUp(c);
      }
      return;
    }
    if (!protocols.contains(d.protocol())) {
      giveUp(c);
      return;
    }
    // A request sent by this process (or a greeting it received) makes it the client.
    c.client = d.request() == sent;
    ProcessInfo process = processes.get(c.tgid);
    if (process.comm().isEmpty() && !c.comm.isEmpty()) {
      process = new ProcessInfo(c.tgid, c.comm, "", ""); // exited already: the kernel's name for it
    }
    c.instanceTgid = c.client ? c.tgid : instance(c, process.comm());
    c.link = metrics.open(c, d.protocol(), process);
    if (c.link == null) {
      giveUp(c);
      return;
    }
    c.parser = newParser(d, exchangeSink(c));
    c.state = Connection.State.PARSING;
    if (earlier > 0) {
      c.parser.feed(c.client == sent, c.prefix[dir], 0, earlier, earlier, c.prefixTs[dir]);
    }
    c.prefix[0] = c.prefix[1] = null;
    c.parser.feed(c.client == sent, data, 0, captured, length, ts);
  }

  /**
   * Keeps a small, fully captured segment for the next detection in its direction; drops the rest.
   */
  private static void keepPrefix(
      Connection c, int dir, long ts, byte[] data, int captured, long length) {
    int earlier = c.prefixLen[dir];
    if (captured != length || earlier + captured > DETECT_PREFIX) {
      c.prefixLen[dir] =
          0; // too big to be a length read, or not all captured: start afresh next time
      return;
    }
    if (c.prefix[dir] == null) {
      c.prefix[dir] = new byte[DETECT_PREFIX];
      c.prefixTs[dir] = ts;
    }
    if (earlier == 0) {
      c.prefixTs[dir] = ts;
    }
    System.arraycopy(data, 0, c.prefix[dir], earlier, captured);
    c.prefixLen[dir] = earlier + captured;
  }

  private void parse(Connection c, long ts, boolean sent, byte[] data, int captured, long length) {
    metrics.io(c.link, sent, length);
    c.parser.feed(c.client == sent, data, 0, captured, length, ts);
    if (c.parser.broken()) {
      if (c.parser.failures() > 0 && parserFailures++ < 10) {
        LOG.warning(
            "l7: "
                + c.parser.protocol().label()
                + " parser failed on socket of tgid "
                + c.tgid
                + ", connection no longer parsed: "
                + c.parser.lastFailure());
      }
      finishParser(c);
      giveUp(c);
    }
  }

  private ExchangeSink exchangeSink(Connection c) {
    return new ExchangeSink() {
      @Override
      public void accept(Exchange e) {
        metrics.exchange(c, e);
      }

      @Override
      public void commitsWithoutRequest(Protocol p, int n) {
        metrics.commits(c, c.database(), n, c.lastSeenNs);
      }
    };
  }

  private StreamParser newParser(Detection d, ExchangeSink sink) {
    return switch (d.protocol()) {
      case REDIS -> new RedisParser(limits, sink);
      case PGSQL -> new PgsqlParser(limits, sink, d.fromStart());
      case MYSQL -> new MysqlParser(limits, sink, d.fromStart());
      case HTTP -> new HttpParser(limits, sink);
      case KAFKA -> new KafkaParser(limits, sink);
    };
  }

  private void giveUp(Connection c) {
    c.state = Connection.State.IGNORED;
    ignored++;
    ignore.ignore(c.sock, c.slot);
  }

  /** The socket closed: report what its parser still holds, and forget it. */
  void onClose(long sock) {
    Connection c = connections.remove(sock);
    if (c != null) {
      finish(c);
    }
  }

  private void finish(Connection c) {
    finishParser(c);
    metrics.closed(c);
    c.link = null;
  }

  private void finishParser(Connection c) {
    if (c.parser != null) {
      c.parser.close();
      desyncs += c.parser.desyncs();
      c.parser = null;
    }
  }

  private void sweep(long now) {
    for (Iterator<Connection> it = connections.values().iterator(); it.hasNext(); ) {
      Connection c = it.next();
      if (now - c.lastSeenNs < IDLE_NS) {
        break; // access order: the rest were active more recently
      }
      finish(c);
      it.remove();
      evicted++;
    }
  }

  /** Closes every parser (probe stop). */
  void closeAll() {
    connections.values().forEach(this::finish);
    connections.clear();
  }

  Map<String, Long> health() {
    Map<String, Long> h = new LinkedHashMap<>();
    h.put("connections", (long) connections.size());
    h.put("connections_evicted", evicted);
    h.put("connections_ignored", ignored);
    h.put("parser_failures", parserFailures);
    long live = 0;
    for (Connection c : connections.values()) {
      if (c.parser != null) {
        live += c.parser.desyncs();
      }
    }
    h.put("stream_desyncs", desyncs + live);
    return h;
  }

  /**
   * The server process of a server-side connection for the SLI tables. A short-lived backend may be
   * gone from /proc by the time its first event is handled: then the instance last seen serving the
   * same endpoint stands in.
   */
  private long instance(Connection c, String comm) {
    String endpoint = c.serverEndpoint();
    long found;
    if (!commOf(c.tgid).isEmpty()) {
      found = instanceOf(c.tgid, comm);
    } else if (c.parentTgid > 1 && !comm.isEmpty() && comm.equals(commOf(c.parentTgid))) {
      found = instanceOf(c.parentTgid, comm); // a worker that is gone; its parent serves on
    } else {
      return instances.getOrDefault(endpoint, 0L); // 0: not known yet, the SLI keeps what it has
    }
    if (instances.size() < MAX_INSTANCES || instances.containsKey(endpoint)) {
      instances.put(endpoint, found);
    }
    return found;
  }

  /**
   * The process that serves an instance: the topmost ancestor with the same name, so that
   * PostgreSQL backends and nginx workers report under the postmaster and the master.
   */
  static long instanceOf(long tgid, String comm) {
    long current = tgid;
    for (int depth = 0; depth < 8 && !comm.isEmpty(); depth++) {
      long parent = parentOf(current);
      if (parent <= 1 || !comm.equals(commOf(parent))) {
        return current;
      }
      current = parent;
    }
    return current;
  }

  private static long parentOf(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[1]);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  private static String commOf(long pid) {
    try {
      return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip();
    } catch (IOException e) {
      return "";
    }
  }
}
