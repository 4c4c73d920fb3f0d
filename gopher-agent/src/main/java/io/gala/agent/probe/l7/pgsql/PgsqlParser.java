package io.gala.agent.probe.l7.pgsql;

import io.gala.agent.probe.l7.protocol.ByteStream;
import io.gala.agent.probe.l7.protocol.ExchangeSink;
import io.gala.agent.probe.l7.protocol.Pending;
import io.gala.agent.probe.l7.protocol.Protocol;
import io.gala.agent.probe.l7.protocol.Statements;
import io.gala.agent.probe.l7.protocol.Status;
import io.gala.agent.probe.l7.protocol.StreamParser;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * PostgreSQL frontend/backend protocol version 3
 * (https://www.postgresql.org/docs/current/protocol.html). One request is a simple Query ({@code
 * Q}), a FunctionCall ({@code F}) or an extended-query batch ended by Sync ({@code P}/{@code
 * B}/{@code D}/{@code E}... {@code S}); its response ends at ReadyForQuery ({@code Z}), whose
 * transaction status byte tells whether the session is idle, in a block or in a failed block.
 * Commits are counted as the server counts {@code xact_commit}: a {@code COMMIT} tag, or a cycle
 * outside a transaction block (any query, even an empty one, or a Parse/Describe batch runs in an
 * implicit transaction) that reaches an idle ReadyForQuery without an error; {@code ROLLBACK} (also
 * the tag a failed block's COMMIT returns) is not a commit. Session start commits one transaction
 * too (InitPostgres reads the catalog in one), reported apart from requests.
 */
public final class PgsqlParser extends StreamParser {
  /**
   * Startup codes (protocol-message-formats: StartupMessage, SSLRequest, GSSENCRequest,
   * CancelRequest).
   */
  private static final int PROTOCOL_3 = 196608;

  private static final int SSL_REQUEST = 80877103;
  private static final int GSSENC_REQUEST = 80877104;
  private static final int CANCEL_REQUEST = 80877102;
  private static final int MAX_MESSAGE = 1 << 30;
  private static final int MAX_STARTUP = 10_000;
  private static final int MAX_TEXT = 256;
  private static final int MAX_NAMED = 256;

  /** Pending.tag of a request that runs in a transaction of its own when outside a block. */
  private static final long STARTS_TRANSACTION = 1;

  private static final String CLIENT_TYPES = "QPBDECHSXFdcfp";
  private static final String SERVER_TYPES = "RKSZTDCEN123nsItGHWdcAVv";

  private boolean startup;
  private boolean awaitingSslAnswer;
  private String database = "";

  // Request side: the extended-query batch being collected until Sync.
  private long batchStart = -1;
  private int batchMessages;
  private String batchApi;
  private String batchText;
  private boolean batchParsed;
  private String unnamedApi;
  private String unnamedText;
  private String boundApi;
  private String boundText;
  private final Map<String, String[]> named =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String[]> eldest) {
          return size() > MAX_NAMED;
        }
      };

  // Response side: what the current response cycle (up to ReadyForQuery) said. A cycle outside a
  // block
  // starts with implicit work: the server opens a transaction for whatever the request runs.
  private boolean inBlock;
  private boolean implicitWork = true;
  private int commits;
  private Status cycleStatus = Status.OK;
  private long committed;

  /**
   * A parser for a connection seen from its first byte ({@code fromStart}: expect the untyped
   * startup messages) or joined later.
   */
  public PgsqlParser(Limits limits, ExchangeSink sink, boolean fromStart) {
    super(Protocol.PGSQL, limits, sink);
    this.startup = fromStart;
  }

  /** The database named in the startup message, "" when the connection predates the capture. */
  public String database() {
    return database;
  }

  /** Transactions committed on this connection so far. */
  public long committed() {
    return committed;
  }

  @Override
  protected Step parseRequest(ByteStream in) {
    if (startup) {
      return parseStartup(in);
    }
    if (in.available() < 5) {
      return Step.NEED_MORE;
    }
    int type = in.u8(0);
    long len = in.be32(1) & 0xffffffffL;
    if (CLIENT_TYPES.indexOf(type) < 0 || len < 4 || len > MAX_MESSAGE) {
      return Step.INVALID;
    }
    int body = 5;
    int bodyLen = (int) len - 4;
    switch (type) {
      case 'Q' -> {
        if (waitForBody(in, len, MAX_TEXT)) {
          return Step.NEED_MORE;
        }
        String text = cString(in, body, bodyLen);
        queue().add(new Pending(Statements.kind(text), text, in.startTs(), STARTS_TRANSACTION));
        batchStart = -1;
      }
      case 'P' -> {
        if (waitForBody(in, len, MAX_TEXT)) {
          return Step.NEED_MORE;
        }
        int nameLen = field(in, body, bodyLen);
        if (nameLen < 0) {
          return Step
              .INVALID; // statement names are short: not finding the end means this is not a Parse
        }
        String name = in.text(body, nameLen, MAX_TEXT);
        int q = body + nameLen + 1;
        String text = q < body + bodyLen ? cString(in, q, body + bodyLen - q) : "";
        String[] stmt = {Statements.kind(text), text};
        if (name.isEmpty()) {
          unnamedApi = stmt[0];
          unnamedText = stmt[1];
        } else {
          named.put(name, stmt);
        }
        startBatch(in);
        batchParsed = true;
      }
      case 'B' -> {
        if (waitForBody(in, len, 2 * MAX_TEXT)) {
          return Step.NEED_MORE;
        }
        int portalLen = field(in, body, bodyLen);
        int s = body + portalLen + 1;
        int stmtLen = portalLen < 0 || s >= body + bodyLen ? -1 : field(in, s, body + bodyLen - s);
        if (stmtLen < 0) {
          return Step.INVALID;
        }
        String stmtName = in.text(s, stmtLen, MAX_TEXT);
        String[] stmt =
            stmtName.isEmpty() ? new String[] {unnamedApi, unnamedText} : named.get(stmtName);
        boundApi = stmt == null || stmt[0] == null ? "EXECUTE" : stmt[0];
        boundText = stmt == null || stmt[1] == null ? "EXECUTE " + stmtName : stmt[1];
        startBatch(in);
      }
      case 'E' -> {
        startBatch(in);
        if (batchApi == null) {
          batchApi = boundApi == null ? "EXECUTE" : boundApi;
          batchText = boundText;
        }
      }
      case 'S' -> {
        batchMessages--; // counted below without the Sync itself
        startBatch(in);
        String api = batchApi != null ? batchApi : batchParsed ? "PREPARE" : "SYNC";
        // A Sync alone starts no transaction; any other extended-query message does.
        queue()
            .add(
                new Pending(
                    api,
                    batchText == null ? api : batchText,
                    batchStart,
                    batchMessages > 0 ? STARTS_TRANSACTION : 0));
        batchMessages = 0;
        batchStart = -1;
        batchApi = null;
        batchText = null;
        batchParsed = false;
      }
      case 'F' ->
          queue().add(new Pending("FUNCTION", "FUNCTION CALL", in.startTs(), STARTS_TRANSACTION));
      case 'C' -> {
        if (waitForBody(in, len, MAX_TEXT)) {
          return Step.NEED_MORE;
        }
        if (in.available() > 6 && in.u8(body) == 'S') {
          named.remove(cString(in, body + 1, bodyLen - 1));
        }
      }
      case 'D', 'H' -> startBatch(in);
      default -> {} // X Terminate, copy data, password and SASL messages: part of the current
        // exchange
    }
    in.consume(5);
    in.skip(bodyLen);
    return Step.PROGRESS;
  }

  private void startBatch(ByteStream in) {
    batchMessages++;
    if (batchStart < 0) {
      batchStart = in.startTs();
    }
  }

  /**
   * Whether to wait for more of a message body: up to {@code want} bytes of it, unless a hole
   * follows.
   */
  private static boolean waitForBody(ByteStream in, long len, int want) {
    return !in.atHole() && in.available() < Math.min(len + 1, 5L + want);
  }

  private static boolean fullyAvailable(ByteStream in, long len) {
    return in.available() >= len + 1;
  }

  /**
   * Untyped startup-phase messages: int32 length, int32 code, then (for StartupMessage) parameters.
   */
  private Step parseStartup(ByteStream in) {
    if (in.available() < 8) {
      return Step.NEED_MORE;
    }
    long len = in.be32(0) & 0xffffffffL;
    int code = in.be32(4);
    if (len < 8 || len > MAX_STARTUP) {
      return Step.INVALID;
    }
    switch (code) {
      case SSL_REQUEST, GSSENC_REQUEST -> {
        if (len != 8) {
          return Step.INVALID;
        }
        awaitingSslAnswer = true;
      }
      case CANCEL_REQUEST -> {} // the connection carries only this message
      case PROTOCOL_3 -> {
        if (in.available() < len && !in.atHole()) {
          return Step.NEED_MORE;
        }
        database = startupParameter(in, (int) Math.min(len, in.available()), "database");
        startup = false;
      }
      default -> {
        // 3.x minor versions are negotiated (NegotiateProtocolVersion); other majors are not v3.
        if ((code >>> 16) != 3) {
          return Step.INVALID;
        }
        startup = false;
      }
    }
    in.consume(8);
    in.skip(len - 8);
    return Step.PROGRESS;
  }

  private static String startupParameter(ByteStream in, int len, String key) {
    int i = 8;
    while (i < len) {
      int k = field(in, i, len - i);
      if (k <= 0) {
        break;
      }
      boolean wanted = in.matches(i, key, false) && k == key.length();
      i += k + 1;
      int v = field(in, i, len - i);
      if (v < 0) {
        break;
      }
      if (wanted) {
        return in.text(i, v, MAX_TEXT);
      }
      i += v + 1;
    }
    return "";
  }

  @Override
  protected Step parseResponse(ByteStream in) {
    if (awaitingSslAnswer) {
      int answer = in.u8(0);
      awaitingSslAnswer = false;
      if (answer == 'N') {
        in.consume(1); // no encryption: the client now sends a StartupMessage in clear text
        return Step.PROGRESS;
      }
      if (answer == 'S' || answer == 'G') {
        markBroken(); // TLS or GSS encryption from here on: nothing more to parse on this socket
        return Step.NEED_MORE;
      }
      if (answer != 'E') {
        return Step.INVALID;
      }
    }
    if (in.available() < 5) {
      return Step.NEED_MORE;
    }
    int type = in.u8(0);
    long len = in.be32(1) & 0xffffffffL;
    if (SERVER_TYPES.indexOf(type) < 0 || len < 4 || len > MAX_MESSAGE) {
      return Step.INVALID;
    }
    int bodyLen = (int) len - 4;
    switch (type) {
      case 'C' -> {
        if (!fullyAvailable(in, len) && !in.atHole()) {
          return Step.NEED_MORE;
        }
        commandComplete(cString(in, 5, bodyLen));
      }
      case 'I' -> commandComplete("EMPTY");
      case 'E' -> {
        if (!fullyAvailable(in, len) && !in.atHole() && len < 4096) {
          return Step.NEED_MORE;
        }
        error(in, bodyLen);
      }
      case 'Z' -> {
        if (in.available() < 6) {
          return Step.NEED_MORE; // at a hole the driver restarts the stream
        }
        if (len != 4 + 1) {
          return Step.INVALID;
        }
        int txStatus = in.u8(5);
        in.consume(6);
        readyForQuery(txStatus);
        return Step.PROGRESS;
      }
      default -> {} // rows, descriptions, notices, parameter status: skipped by length
    }
    in.consume(5);
    in.skip(bodyLen);
    return Step.PROGRESS;
  }

  private void commandComplete(String tag) {
    if (tag.startsWith("BEGIN") || tag.startsWith("START")) {
      inBlock = true; // an implicit block's earlier work now belongs to this block
    } else if (tag.equals("COMMIT")) {
      commits++;
      inBlock = false;
      implicitWork =
          false; // statements after it in the same query run in a new implicit transaction
    } else if (tag.equals("ROLLBACK") || tag.startsWith("PREPARE TRANSACTION")) {
      inBlock = false;
      implicitWork = false;
    } else if (!inBlock) {
      implicitWork = true;
    }
  }

  private void error(ByteStream in, int bodyLen) {
    Status s = Status.CLIENT_ERROR;
    int end = Math.min(5 + bodyLen, in.available());
    for (int i = 5; i < end && in.u8(i) != 0; ) {
      int code = in.u8(i);
      int n = field(in, i + 1, end - i - 1);
      if (n < 0) {
        break;
      }
      if (code == 'C') {
        s = sqlStateStatus(in.text(i + 1, n, 5));
      }
      i += n + 2;
    }
    if (cycleStatus == Status.OK || s == Status.SERVER_ERROR) {
      cycleStatus = s;
    }
    if (!inBlock) {
      implicitWork = false; // the implicit transaction is rolled back
    }
  }

  /** SQLSTATE classes about the server's state (appendix A of the PostgreSQL manual). */
  static Status sqlStateStatus(String code) {
    if (code.length() < 2) {
      return Status.SERVER_ERROR;
    }
    return switch (code.substring(0, 2)) {
      case "08", "53", "54", "55", "57", "58", "XX", "40", "F0", "HV", "P0" -> Status.SERVER_ERROR;
      default -> Status.CLIENT_ERROR;
    };
  }

  private void readyForQuery(int txStatus) {
    Pending done = queue().poll();
    boolean startsTransaction = done == null || done.tag() == STARTS_TRANSACTION;
    if (implicitWork && startsTransaction && txStatus == 'I') {
      commits++;
    }
    inBlock = txStatus == 'T' || txStatus == 'E';
    implicitWork = !inBlock;
    committed += commits;
    if (done != null) {
      complete(done, cycleStatus, commits);
    } else if (commits > 0) {
      commitsWithoutRequest(commits);
    }
    commits = 0;
    cycleStatus = Status.OK;
  }

  @Override
  protected void requestsLost() {
    batchStart = -1;
    batchApi = null;
    batchText = null;
    batchParsed = false;
    batchMessages = 0;
  }

  @Override
  protected void responsesLost(long lastTs) {
    // The ReadyForQuery that ends this cycle may be in the hole: report the oldest request as
    // answered
    // at the last segment seen, without commits (its outcome is unknown).
    Pending done = queue().poll();
    if (done != null) {
      complete(done, lastTs, cycleStatus, 0);
    }
    commits = 0;
    implicitWork = !inBlock;
    cycleStatus = Status.OK;
  }

  /**
   * A NUL-terminated string at i within max bytes, cut at the capture and at MAX_TEXT characters:
   * for text that is kept. Names used to find the next field go through {@link #field}.
   */
  static String cString(ByteStream in, int i, int max) {
    int lim = Math.min(i + Math.max(max, 0), in.available());
    int nul = in.indexOf((byte) 0, i, lim);
    int end = nul < 0 ? lim : nul;
    return in.text(i, end - i, MAX_TEXT);
  }

  /**
   * Length of the NUL-terminated field at i within max bytes, or -1 when its end is not captured.
   */
  static int field(ByteStream in, int i, int max) {
    int lim = Math.min(i + Math.max(max, 0), in.available());
    int nul = in.indexOf((byte) 0, i, lim);
    return nul < 0 ? -1 : nul - i;
  }
}
