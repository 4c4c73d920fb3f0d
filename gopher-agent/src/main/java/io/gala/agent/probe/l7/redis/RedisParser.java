package io.gala.agent.probe.l7.redis;

import io.gala.agent.probe.l7.protocol.ByteStream;
import io.gala.agent.probe.l7.protocol.ExchangeSink;
import io.gala.agent.probe.l7.protocol.Pending;
import io.gala.agent.probe.l7.protocol.Protocol;
import io.gala.agent.probe.l7.protocol.Status;
import io.gala.agent.probe.l7.protocol.StreamParser;

/**
 * Redis serialization protocol, RESP2 and RESP3
 * (https://redis.io/docs/latest/develop/reference/protocol-spec/). Requests are arrays of bulk
 * strings or inline commands (a line of words); replies come back in request order, so pipelined
 * requests are matched first in, first out. A top-level error reply ({@code -} or RESP3 {@code !})
 * marks the exchange as failed; RESP3 push messages ({@code >}) are out of band and match no
 * request.
 */
public final class RedisParser extends StreamParser {
  /** Longest header line accepted ({@code *<n>}, {@code $<len>}): a longer one is not RESP. */
  private static final int MAX_HEADER = 24;

  /**
   * Longest inline command line (Redis' own limit is 64 KiB; more than the buffer is lost anyway).
   */
  private static final int MAX_INLINE = 16 * 1024;

  /** Longest simple string or error line accepted. */
  private static final int MAX_LINE = 8 * 1024;

  private static final int MAX_DEPTH = 32;
  private static final int MAX_ARGS_SHOWN = 8;

  // Request side: an array of bulk strings being read.
  private int argsLeft;
  private int argCount;
  private String command;
  private long requestStart;

  // Response side: remaining elements per open aggregate, outermost first.
  private final long[] left = new long[MAX_DEPTH];
  private int depth;
  private Pending current;
  private Status currentStatus;
  private long unmatched;

  public RedisParser(Limits limits, ExchangeSink sink) {
    super(Protocol.REDIS, limits, sink);
  }

  /** Replies that arrived with no request waiting (pub/sub messages, attach in the middle). */
  public long unmatched() {
    return unmatched;
  }

  @Override
  protected Step parseRequest(ByteStream in) {
    if (argsLeft > 0) {
      return parseArgument(in);
    }
    if (in.u8(0) == '*') {
      int eol = in.indexOfCrlf(1);
      if (eol < 0) {
        return in.available() > MAX_HEADER ? Step.INVALID : Step.NEED_MORE;
      }
      long n = parseLong(in, 1, eol);
      if (n < 1 || n > 1024 * 1024) {
        // *0 and *-1 are legal no-ops for Redis but never sent by clients; anything else is not
        // RESP.
        return n == 0 || n == -1 ? consume(in, eol + 2) : Step.INVALID;
      }
      requestStart = in.startTs();
      in.consume(eol + 2);
      argsLeft = (int) n;
      argCount = (int) n;
      command = null;
      return Step.PROGRESS;
    }
    return parseInline(in);
  }

  private static Step consume(ByteStream in, int n) {
    in.consume(n);
    return Step.PROGRESS;
  }

  private Step parseArgument(ByteStream in) {
    if (in.u8(0) != '$') {
      return Step.INVALID;
    }
    int eol = in.indexOfCrlf(1);
    if (eol < 0) {
      return in.available() > MAX_HEADER ? Step.INVALID : Step.NEED_MORE;
    }
    long len = parseLong(in, 1, eol);
    if (len < 0 || len > 512L * 1024 * 1024) {
      return Step.INVALID;
    }
    boolean first = command == null;
    if (first) {
      // The command name must be visible to count the request; it is short, so it is in the
      // capture.
      if (in.available() < eol + 2 + len) {
        return len > 64 ? Step.INVALID : Step.NEED_MORE;
      }
      command = upperWord(in, eol + 2, (int) len);
      if (command == null) {
        return Step.INVALID;
      }
    }
    in.consume(eol + 2);
    in.skip(len + 2);
    argsLeft--;
    if (first) {
      // Queued at the command name: the request counts even if its tail is lost in a hole.
      queue().add(new Pending(command, maskedText(command, argCount), requestStart, 0));
    }
    return Step.PROGRESS;
  }

  /** An inline command: words separated by spaces, ended by a newline (CRLF or LF). */
  private Step parseInline(ByteStream in) {
    int c = in.u8(0);
    if (c == '\r' || c == '\n') {
      in.consume(1); // redis-cli and telnet users send bare newlines; Redis ignores them
      return Step.PROGRESS;
    }
    if (!isLetter(c)) {
      return Step.INVALID;
    }
    int eol = in.indexOf((byte) '\n', 0, MAX_INLINE);
    if (eol < 0) {
      return in.available() >= MAX_INLINE ? Step.INVALID : Step.NEED_MORE;
    }
    int end = eol > 0 && in.u8(eol - 1) == '\r' ? eol - 1 : eol;
    int word = 0;
    while (word < end && in.u8(word) != ' ') {
      word++;
    }
    String cmd = upperWord(in, 0, word);
    if (cmd == null) {
      return Step.INVALID;
    }
    int words = 1;
    for (int i = word; i < end; i++) {
      if (in.u8(i) == ' ' && i + 1 < end && in.u8(i + 1) != ' ') {
        words++;
      }
    }
    queue().add(new Pending(cmd, maskedText(cmd, words), in.startTs(), 0));
    in.consume(eol + 1);
    return Step.PROGRESS;
  }

  @Override
  protected Step parseResponse(ByteStream in) {
    int type = in.u8(0);
    int eol = in.indexOfCrlf(1);
    if (eol < 0) {
      boolean line = type == '+' || type == '-' || type == ',' || type == '(';
      return in.available() > (line ? MAX_LINE : MAX_HEADER) ? Step.INVALID : Step.NEED_MORE;
    }
    boolean top = depth == 0;
    if (top && !startReply(in, type, eol)) {
      return Step.INVALID;
    }
    switch (type) {
      case '+', '-', ':', '_', '#', ',', '(' -> {
        in.consume(eol + 2);
        return element();
      }
      case '$', '!', '=' -> {
        long len = parseLong(in, 1, eol);
        if (len < -1) {
          return Step.INVALID;
        }
        in.consume(eol + 2);
        if (len >= 0) {
          in.skip(len + 2);
        }
        return element();
      }
      case '*', '~', '>', '%', '|' -> {
        long n = parseLong(in, 1, eol);
        if (n < -1 || n > Integer.MAX_VALUE) {
          return Step.INVALID;
        }
        in.consume(eol + 2);
        long elements = type == '%' || type == '|' ? 2 * n : n;
        if (type == '|') {
          // An attribute precedes the reply it describes: count that reply as its last element.
          elements++;
        }
        if (elements <= 0) {
          return element();
        }
        if (depth == MAX_DEPTH) {
          return Step.INVALID;
        }
        left[depth++] = elements;
        return Step.PROGRESS;
      }
      default -> {
        return Step.INVALID;
      }
    }
  }

  /** A top-level reply starts: bind it to the oldest request, unless it is a push message. */
  private boolean startReply(ByteStream in, int type, int eol) {
    if ("+-:$*_#,(!=%~>|".indexOf(type) < 0) {
      return false;
    }
    boolean push = type == '>';
    current = push ? null : queue().poll();
    if (current == null && !push) {
      unmatched++;
    }
    currentStatus = Status.OK;
    if (type == '-') {
      currentStatus = errorStatus(in, 1);
    } else if (type == '!') {
      currentStatus = errorStatus(in, eol + 2);
    }
    return true;
  }

  /** One element finished: close the aggregates it completes, and the reply when all are closed. */
  private Step element() {
    while (depth > 0) {
      if (--left[depth - 1] > 0) {
        return Step.PROGRESS;
      }
      depth--;
    }
    if (current != null) {
      Pending done = current;
      current = null;
      complete(done, currentStatus, 0);
    }
    return Step.PROGRESS;
  }

  @Override
  protected void requestsLost() {
    argsLeft = 0;
    command = null;
  }

  @Override
  protected void responsesLost(long lastTs) {
    depth = 0;
    if (current != null) {
      complete(current, lastTs, currentStatus, 0);
      current = null;
    }
  }

  /** Error replies start with a code word; the ones about the server's state are server errors. */
  private static Status errorStatus(ByteStream in, int at) {
    for (String code : SERVER_ERRORS) {
      if (in.matches(at, code, false)) {
        return Status.SERVER_ERROR;
      }
    }
    return Status.CLIENT_ERROR;
  }

  private static final String[] SERVER_ERRORS = {
    "OOM",
    "LOADING",
    "BUSY ",
    "MASTERDOWN",
    "READONLY",
    "MISCONF",
    "CLUSTERDOWN",
    "TRYAGAIN",
    "NOREPLICAS",
    "MOVED",
    "ASK ",
    "ERR max number of clients"
  };

  /**
   * Texts by command and word count, shared by all connections: building one per request would
   * allocate on the hot path. Bounded; commands beyond the bound are built each time.
   */
  private static final java.util.concurrent.ConcurrentHashMap<String, String[]> TEXTS =
      new java.util.concurrent.ConcurrentHashMap<>();

  private static final int MAX_TEXTS = 4096;

  private static String maskedText(String command, int words) {
    int n = Math.min(words, MAX_ARGS_SHOWN + 2);
    String[] byWords = TEXTS.get(command);
    if (byWords == null) {
      if (TEXTS.size() >= MAX_TEXTS) {
        return buildText(command, words);
      }
      byWords = TEXTS.computeIfAbsent(command, c -> new String[MAX_ARGS_SHOWN + 3]);
    }
    String t = byWords[n];
    if (t == null) {
      t = buildText(command, n);
      byWords[n] = t;
    }
    return t;
  }

  private static String buildText(String command, int words) {
    StringBuilder sb =
        new StringBuilder(command.length() + 2 * Math.min(words, MAX_ARGS_SHOWN + 1));
    sb.append(command);
    for (int i = 1; i < words && i <= MAX_ARGS_SHOWN; i++) {
      sb.append(" ?");
    }
    if (words > MAX_ARGS_SHOWN + 1) {
      sb.append(" ...");
    }
    return sb.toString();
  }

  /** Command names seen, by their upper-cased text: the same String for every request. */
  private static final java.util.concurrent.ConcurrentHashMap<String, String> NAMES =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** The word at [i, i+n) upper-cased, or null when it is not a plausible command name. */
  static String upperWord(ByteStream in, int i, int n) {
    String word = upperWordUncached(in, i, n);
    if (word == null || NAMES.size() >= MAX_TEXTS) {
      return word;
    }
    String known = NAMES.putIfAbsent(word, word);
    return known == null ? word : known;
  }

  private static String upperWordUncached(ByteStream in, int i, int n) {
    if (n < 1 || n > 32) {
      return null;
    }
    char[] cs = new char[n];
    for (int k = 0; k < n; k++) {
      int c = in.u8(i + k);
      if (isLetter(c)) {
        cs[k] = (char) (c & ~0x20);
      } else if (c == '_' || c == '-' || c == '.' || c == '|' || c >= '0' && c <= '9') {
        cs[k] = (char) c; // module commands: FT.SEARCH, JSON.GET, CF.ADD
      } else {
        return null;
      }
    }
    return new String(cs);
  }

  private static boolean isLetter(int c) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
  }

  /** Decimal integer in [from, to), Long.MIN_VALUE when not one. */
  static long parseLong(ByteStream in, int from, int to) {
    if (from >= to || to - from > 19) {
      return Long.MIN_VALUE;
    }
    boolean neg = in.u8(from) == '-';
    int i = neg ? from + 1 : from;
    if (i == to) {
      return Long.MIN_VALUE;
    }
    long v = 0;
    for (; i < to; i++) {
      int c = in.u8(i);
      if (c < '0' || c > '9') {
        return Long.MIN_VALUE;
      }
      v = v * 10 + (c - '0');
    }
    return neg ? -v : v;
  }
}
