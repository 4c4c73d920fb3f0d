package io.gala.agent.probe.l7;

import io.gala.agent.probe.l7.protocol.Protocol;
import java.util.Set;

/**
 * Recognizes the protocol of a connection from the first bytes the capture saw, and which end
 * speaks first. Only requests are trusted (and MySQL's greeting, the one protocol where the server
 * speaks first): a response alone is too easy to confuse. Order matters where shapes overlap: HTTP
 * before the Redis inline form ({@code GET /x HTTP/1.1} is also a Redis inline GET), PostgreSQL's
 * startup code before Kafka (196608 reads as api key 3, version 0).
 */
final class ProtocolDetector {
  /**
   * What the first bytes said: the protocol, whether they were a request, and if the connection's
   * start was seen.
   */
  record Detection(Protocol protocol, boolean request, boolean fromStart) {}

  private static final int PG_PROTOCOL_3 = 196608;
  private static final int PG_SSL = 80877103;
  private static final int PG_GSSENC = 80877104;
  private static final int PG_CANCEL = 80877102;
  private static final String PG_CLIENT_TYPES = "QPBDESHFCX";
  private static final Set<String> HTTP_METHODS =
      Set.of("GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "CONNECT", "TRACE");

  /** Commands people and benchmarks send inline; an inline line must start with one of them. */
  private static final Set<String> REDIS_INLINE =
      Set.of(
          "PING",
          "ECHO",
          "GET",
          "SET",
          "DEL",
          "INCR",
          "DECR",
          "EXISTS",
          "KEYS",
          "INFO",
          "AUTH",
          "SELECT",
          "HELLO",
          "QUIT",
          "MGET",
          "MSET",
          "LPUSH",
          "RPUSH",
          "LPOP",
          "RPOP",
          "LRANGE",
          "SADD",
          "SPOP",
          "HSET",
          "HGET",
          "ZADD",
          "EXPIRE",
          "TTL",
          "TYPE",
          "FLUSHALL",
          "FLUSHDB",
          "CONFIG",
          "CLIENT",
          "DBSIZE",
          "MONITOR",
          "SUBSCRIBE",
          "PUBLISH",
          "COMMAND",
          "SCAN");

  private ProtocolDetector() {}

  /**
   * Looks at one segment: {@code captured} bytes of an I/O of {@code length} bytes. Returns null
   * when the bytes fit no protocol.
   */
  static Detection detect(byte[] b, int captured, long length) {
    if (captured < 4) {
      return null;
    }
    if (isHttpRequest(b, captured)) {
      return new Detection(Protocol.HTTP, true, false);
    }
    Detection pg = pgsql(b, captured, length);
    if (pg != null) {
      return pg;
    }
    Detection my = mysql(b, captured, length);
    if (my != null) {
      return my;
    }
    if (isRedisRequest(b, captured)) {
      return new Detection(Protocol.REDIS, true, false);
    }
    if (isKafkaRequest(b, captured, length)) {
      return new Detection(Protocol.KAFKA, true, false);
    }
    return null;
  }

  static boolean isHttpRequest(byte[] b, int n) {
    int sp = indexOf(b, n, (byte) ' ', 8);
    if (sp < 3 || !HTTP_METHODS.contains(ascii(b, 0, sp))) {
      return false;
    }
    int eol = indexOf(b, n, (byte) '\r', Math.min(n, 8192));
    return eol > sp + 9 && ascii(b, eol - 8, 7).equals("HTTP/1.");
  }

  private static Detection pgsql(byte[] b, int n, long length) {
    if (n >= 8) {
      long len = be32(b, 0);
      int code = (int) be32(b, 4);
      boolean startup =
          code == PG_PROTOCOL_3 && len > 8 && len < 10_000 && (len == length || len == n);
      boolean shortCode =
          (code == PG_SSL || code == PG_GSSENC) && len == 8 || code == PG_CANCEL && len == 16;
      if (startup || shortCode) {
        return new Detection(Protocol.PGSQL, true, true);
      }
    }
    // Joined mid-connection: a run of typed client messages whose lengths chain up to the I/O's
    // length.
    if (b[0] != 'Q' && b[0] != 'P' && b[0] != 'B') {
      return null;
    }
    long at = 0;
    int messages = 0;
    while (at + 5 <= n) {
      int type = b[(int) at];
      long len = be32(b, (int) at + 1);
      if (PG_CLIENT_TYPES.indexOf(type) < 0 || len < 4 || len > 1 << 30) {
        return null;
      }
      messages++;
      at += 1 + len;
    }
    boolean chained = at == length || at > n && at <= length;
    boolean textual = b[0] != 'Q' || n < 6 || b[5] >= 0x20 || b[5] == '\t' || b[5] == '\n';
    return chained && messages > 0 && textual ? new Detection(Protocol.PGSQL, true, false) : null;
  }

  private static Detection mysql(byte[] b, int n, long length) {
    if (n < 5) {
      return null;
    }
    long len = le24(b, 0);
    int seq = b[3] & 0xff;
    if (len + 4 != length || seq != 0) {
      return null;
    }
    int first = b[4] & 0xff;
    if (first == 0x0a && n > 6) {
      // Server greeting: protocol 10, then a printable NUL-terminated server version.
      int nul = indexOf(b, 5, n, (byte) 0, Math.min(n, 64));
      if (nul > 6 && printable(b, 5, nul)) {
        return new Detection(Protocol.MYSQL, false, true);
      }
      return null;
    }
    // A command packet: COM_QUERY or COM_STMT_PREPARE with text, or a short fixed-form command.
    if ((first == 0x03 || first == 0x16) && len > 1) {
      return printable(b, 5, Math.min(n, 5 + 32))
          ? new Detection(Protocol.MYSQL, true, false)
          : null;
    }
    if (first == 0x17 && len >= 10 || first == 0x0e && len == 1) {
      return new Detection(Protocol.MYSQL, true, false);
    }
    return null;
  }

  static boolean isRedisRequest(byte[] b, int n) {
    if (b[0] == '*') {
      // *<count>\r\n$<len>\r\n<command>
      int i = 1;
      while (i < n && i < 9 && b[i] >= '0' && b[i] <= '9') {
        i++;
      }
      return i > 1 && i + 3 < n && b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '$';
    }
    int end = 0;
    while (end < n
        && end < 16
        && (b[end] >= 'A' && b[end] <= 'Z' || b[end] >= 'a' && b[end] <= 'z')) {
      end++;
    }
    if (end == 0 || end >= n || b[end] != ' ' && b[end] != '\r' && b[end] != '\n') {
      return false;
    }
    String word = ascii(b, 0, end).toUpperCase(java.util.Locale.ROOT);
    return REDIS_INLINE.contains(word) && indexOf(b, n, (byte) '\n', Math.min(n, 4096)) > 0;
  }

  static boolean isKafkaRequest(byte[] b, int n, long length) {
    if (n < 14) {
      return false;
    }
    long size = be32(b, 0);
    int key = (short) (((b[4] & 0xff) << 8) | (b[5] & 0xff));
    int version = (short) (((b[6] & 0xff) << 8) | (b[7] & 0xff));
    long correlation = be32(b, 8);
    int clientId = (short) (((b[12] & 0xff) << 8) | (b[13] & 0xff));
    // The size may exceed the I/O (a large request written in parts) or fall short (pipelined
    // requests).
    if (size < 10
        || size > 128L << 20
        || key < 0
        || key > 92
        || version < 0
        || version > 20
        || correlation < 0
        || correlation > Integer.MAX_VALUE
        || clientId < -1
        || clientId > 256
        || clientId + 10 > size) {
      return false;
    }
    return clientId <= 0 || printable(b, 14, Math.min(n, 14 + clientId));
  }

  private static boolean printable(byte[] b, int from, int to) {
    if (to <= from) {
      return false;
    }
    for (int i = from; i < to; i++) {
      int c = b[i] & 0xff;
      if ((c < 0x20 || c > 0x7e) && c != '\t' && c != '\n' && c != '\r') {
        return false;
      }
    }
    return true;
  }

  private static int indexOf(byte[] b, int n, byte v, int limit) {
    return indexOf(b, 0, n, v, limit);
  }

  private static int indexOf(byte[] b, int from, int n, byte v, int limit) {
    for (int i = from; i < Math.min(n, limit); i++) {
      if (b[i] == v) {
        return i;
      }
    }
    return -1;
  }

  private static String ascii(byte[] b, int from, int n) {
    return from < 0 ? "" : new String(b, from, n, java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  private static long be32(byte[] b, int i) {
    return ((b[i] & 0xffL) << 24)
        | ((b[i + 1] & 0xff) << 16)
        | ((b[i + 2] & 0xff) << 8)
        | (b[i + 3] & 0xff);
  }

  private static long le24(byte[] b, int i) {
    return (b[i] & 0xff) | ((b[i + 1] & 0xff) << 8) | ((b[i + 2] & 0xff) << 16);
  }
}
