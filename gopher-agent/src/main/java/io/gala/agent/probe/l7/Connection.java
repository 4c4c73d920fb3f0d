package io.gala.agent.probe.l7;

import io.gala.agent.probe.l7.pgsql.PgsqlParser;
import io.gala.agent.probe.l7.protocol.StreamParser;

/**
 * One socket the capture reported, from its first segment to its close: addresses, what the
 * detector decided, the parser, and the link it counts into. Mutated only on the ring buffer
 * thread.
 */
final class Connection {
  enum State {
    DETECTING,
    PARSING,
    IGNORED
  }

  final long sock;
  final long tgid;
  final String localIp;
  final int localPort;
  final String remoteIp;
  final int remotePort;
  State state = State.DETECTING;

  /**
   * While detecting: the small segments seen so far in each direction (received, sent), fully
   * captured, at most {@link Connections#DETECT_PREFIX} bytes: servers that read a length first (a
   * Kafka broker reads 4 bytes, then the rest) show the request only when they are put together.
   */
  final byte[][] prefix = new byte[2][];

  final int[] prefixLen = new int[2];
  final long[] prefixTs = new long[2];

  /** Segments and bytes looked at while detecting. */
  int probes;

  long probedBytes;

  /** I/O while the protocol was being detected; it moves to the link once known. */
  final IoCounts io = new IoCounts();

  /** Whether this process is the client of the connection (it sends the requests). */
  boolean client;

  StreamParser parser;
  LinkStats link;

  /**
   * The server's process for SLIs: the topmost ancestor with the same name (postmaster, nginx
   * master); 0 when the process was gone before it could be resolved.
   */
  long instanceTgid;

  /** Process name and parent from the socket's first event (kept for processes that exit fast). */
  String comm = "";

  long parentTgid;

  /** The socket's slot in the kernel's verdict cache (l7.h L7_VERDICT_BITS). */
  int slot;

  long lastSeenNs;

  Connection(long sock, long tgid, String localIp, int localPort, String remoteIp, int remotePort) {
    this.sock = sock;
    this.tgid = tgid;
    this.localIp = localIp;
    this.localPort = localPort;
    this.remoteIp = remoteIp;
    this.remotePort = remotePort;
  }

  /** Whether this is the plaintext of a TLS connection, from the OpenSSL uprobes. */
  boolean ssl() {
    return (sock & CaptureEvent.SSL_STREAM) != 0;
  }

  private String serverEndpoint;

  /** "ip:port" of the server end, built once. */
  String serverEndpoint() {
    if (serverEndpoint == null) {
      serverEndpoint = serverIp() + ":" + serverPort();
    }
    return serverEndpoint;
  }

  String serverIp() {
    return client ? remoteIp : localIp;
  }

  int serverPort() {
    return client ? remotePort : localPort;
  }

  String clientIp() {
    return client ? localIp : remoteIp;
  }

  int clientPort() {
    return client ? localPort : remotePort;
  }

  /** The database a PostgreSQL session opened, "" when unknown or another protocol. */
  String database() {
    return parser instanceof PgsqlParser pg ? pg.database() : "";
  }

  String role() {
    return client ? "client" : "server";
  }
}
