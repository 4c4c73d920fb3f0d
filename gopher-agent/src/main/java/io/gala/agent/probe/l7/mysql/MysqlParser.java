package io.gala.agent.probe.l7.mysql;

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
 * MySQL/MariaDB client/server protocol
 * (https://dev.mysql.com/doc/dev/mysql-server/latest/PAGE_PROTOCOL.html). Packets are a 3-byte
 * little-endian length, a sequence id and a payload. After the handshake each command packet
 * (sequence 0) is answered by OK ({@code 0x00}), ERR ({@code 0xFF}) or a result set: column count,
 * column definitions, optionally an EOF ({@code 0xFE}, when CLIENT_DEPRECATE_EOF is off), rows, and
 * a final EOF or OK whose status flags say whether more result sets follow. Prepared statements are
 * tracked by the id COM_STMT_PREPARE's answer gives, so that COM_STMT_EXECUTE has the statement's
 * kind as api.
 */
public final class MysqlParser extends StreamParser {
  static final int COM_QUIT = 0x01;
  static final int COM_INIT_DB = 0x02;
  static final int COM_QUERY = 0x03;
  static final int COM_FIELD_LIST = 0x04;
  static final int COM_STATISTICS = 0x09;
  static final int COM_PING = 0x0e;
  static final int COM_STMT_PREPARE = 0x16;
  static final int COM_STMT_EXECUTE = 0x17;
  static final int COM_STMT_SEND_LONG_DATA = 0x18;
  static final int COM_STMT_CLOSE = 0x19;
  static final int COM_STMT_FETCH = 0x1c;
  private static final int CLIENT_SSL = 0x800;
  private static final int SERVER_MORE_RESULTS_EXISTS = 0x0008;
  private static final int MAX_TEXT = 256;
  private static final int MAX_STATEMENTS = 256;
  private static final int MAX_PAYLOAD = 0xffffff;
  private static final int SMALL_PACKET = 64;

  private enum Phase {
    GREETING,
    HANDSHAKE_RESPONSE,
    AUTH,
    COMMAND
  }

  private enum State {
    FIRST,
    COLUMNS,
    AFTER_COLUMNS,
    ROWS,
    PREPARE_DEFS
  }

  private Phase phase;
  private State state = State.FIRST;
  private long columnsLeft;
  private Status status = Status.OK;
  private final Map<Long, String[]> statements =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, String[]> eldest) {
          return size() > MAX_STATEMENTS;
        }
      };

  /** A parser for a connection seen from its greeting ({@code fromStart}) or joined later. */
  public MysqlParser(Limits limits, ExchangeSink sink, boolean fromStart) {
    super(Protocol.MYSQL, limits, sink);
    this.phase = fromStart ? Phase.GREETING : Phase.COMMAND;
  }

  @Override
  protected Step parseRequest(ByteStream in) {
    if (in.available() < 5) {
      return Step.NEED_MORE;
    }
    long len = in.le24(0);
    int seq = in.u8(3);
    if (phase == Phase.HANDSHAKE_RESPONSE) {
      if (in.available() < 8) {
        return Step.NEED_MORE;
      }
      if ((in.le32(4) & CLIENT_SSL) != 0 && len == 32) {
        markBroken(); // SSLRequest: TLS from here on
        return Step.NEED_MORE;
      }
      phase = Phase.AUTH;
      return skipPacket(in, len);
    }
    if (phase != Phase.COMMAND || seq != 0) {
      return skipPacket(in, len); // auth data, LOCAL INFILE contents, continuation packets
    }
    if (waitForPacket(in, len, 1 + MAX_TEXT)) {
      return Step.NEED_MORE;
    }
    int cmd = in.u8(4);
    String api;
    String text;
    switch (cmd) {
      case COM_QUERY -> {
        text = in.text(5, (int) Math.min(len - 1, MAX_TEXT), MAX_TEXT);
        api = Statements.kind(text);
      }
      case COM_STMT_PREPARE -> {
        text = in.text(5, (int) Math.min(len - 1, MAX_TEXT), MAX_TEXT);
        api = "PREPARE";
      }
      case COM_STMT_EXECUTE, COM_STMT_FETCH -> {
        if (in.available() < 9) {
          return Step.NEED_MORE; // at a hole the driver restarts the stream
        }
        String[] stmt = statements.get(in.le32(5));
        api = stmt == null ? "EXECUTE" : stmt[0];
        text = stmt == null ? "EXECUTE" : stmt[1];
      }
      case COM_STMT_CLOSE -> {
        if (in.available() >= 9) {
          statements.remove(in.le32(5));
        }
        return skipPacket(in, len); // no response
      }
      case COM_STMT_SEND_LONG_DATA, COM_QUIT -> {
        return skipPacket(in, len); // no response
      }
      default -> {
        String name = Commands.name(cmd);
        if (name == null) {
          return Step.INVALID;
        }
        api = name;
        text = name;
      }
    }
    queue().add(new Pending(api, text, in.startTs(), cmd));
    return skipPacket(in, len);
  }

  /**
   * Whether to wait for more of a packet: up to {@code want} payload bytes, unless a hole follows.
   */
  private static boolean waitForPacket(ByteStream in, long len, int want) {
    return !in.atHole() && in.available() < 4 + Math.min(len, want);
  }

  private static Step skipPacket(ByteStream in, long len) {
    in.consume(4);
    in.skip(len);
    return Step.PROGRESS;
  }

  @Override
  protected Step parseResponse(ByteStream in) {
    if (in.available() < 5) {
      return Step.NEED_MORE;
    }
    long len = in.le24(0);
    int seq = in.u8(3);
    int first = in.u8(4);
    if (len == 0) {
      return Step.INVALID;
    }
    if (waitForPacket(in, len, SMALL_PACKET)) {
      return Step
          .NEED_MORE; // small packets are read whole: OK status flags, ERR codes, prepare ids
    }
    switch (phase) {
      case GREETING -> {
        if (seq != 0 || first != 0x0a && first != 0xff) {
          return Step.INVALID;
        }
        phase = first == 0xff ? Phase.COMMAND : Phase.HANDSHAKE_RESPONSE;
        return skipPacket(in, len);
      }
      case HANDSHAKE_RESPONSE, AUTH -> {
        if (first == 0x00 || first == 0xff) {
          phase =
              Phase.COMMAND; // authentication ended (OK) or failed (ERR, then the server closes)
        }
        return skipPacket(in, len);
      }
      default -> {}
    }
    Pending p = queue().peek();
    if (p == null || state == State.FIRST && seq != 1) {
      // Nothing asked, or not the first answer to a command (whose sequence id is 1): the trailing
      // EOF
      // of a definition list that ended a response already, or a stray packet.
      return skipPacket(in, len);
    }
    if (len > MAX_PAYLOAD) {
      return Step.INVALID;
    }
    return switch (state) {
      case FIRST -> first(in, p, len, first);
      case COLUMNS -> {
        if (--columnsLeft == 0) {
          state = State.AFTER_COLUMNS;
        }
        yield skipPacket(in, len);
      }
      case AFTER_COLUMNS -> {
        state = State.ROWS;
        if (first == 0xfe && len < 9) {
          yield skipPacket(in, len); // EOF between definitions and rows (no CLIENT_DEPRECATE_EOF)
        }
        yield rows(in, len, first);
      }
      case ROWS -> rows(in, len, first);
      case PREPARE_DEFS -> {
        if (first == 0xfe && len < 9) {
          yield skipPacket(in, len); // the EOF after a definition group
        }
        if (--columnsLeft <= 0) {
          finish(p);
        }
        yield skipPacket(in, len);
      }
    };
  }

  /** The first packet answering a command. */
  private Step first(ByteStream in, Pending p, long len, int first) {
    int cmd = (int) p.tag();
    if (first == 0xff) {
      status = errorStatus(in);
      in.consume(4);
      in.skip(len);
      finish(p);
      return Step.PROGRESS;
    }
    if (first == 0x00 && cmd == COM_STMT_PREPARE) {
      if (in.available() < 4 + 12) {
        return Step.NEED_MORE; // at a hole the driver restarts the stream
      }
      long prepareId = in.le32(5);
      int columns = in.le16(9);
      int params = in.le16(11);
      statements.put(prepareId, new String[] {Statements.kind(p.text()), p.text()});
      columnsLeft = columns + params;
      in.consume(4);
      in.skip(len);
      if (columnsLeft == 0) {
        finish(p);
      } else {
        state = State.PREPARE_DEFS;
      }
      return Step.PROGRESS;
    }
    if (first == 0x00 || cmd == COM_STATISTICS || cmd == COM_PING || cmd == COM_INIT_DB) {
      int flags = first == 0x00 ? okStatusFlags(in, len) : 0;
      in.consume(4);
      in.skip(len);
      if ((flags & SERVER_MORE_RESULTS_EXISTS) == 0) {
        finish(p);
      }
      return Step.PROGRESS;
    }
    if (first == 0xfe && len < 9) {
      in.consume(4);
      in.skip(len);
      finish(p); // COM_SET_OPTION, COM_DEBUG answer with EOF
      return Step.PROGRESS;
    }
    if (first == 0xfb) {
      return skipPacket(in, len); // LOCAL INFILE request: the client sends the file, then OK or ERR
    }
    if (cmd == COM_FIELD_LIST) {
      state = State.ROWS; // column definitions until EOF
      return rows(in, len, first);
    }
    long columns = lengthEncoded(in, 4);
    if (columns <= 0 || columns > 4096) {
      return Step.INVALID;
    }
    columnsLeft = columns;
    state = State.COLUMNS;
    return skipPacket(in, len);
  }

  /** A row of a result set, or the EOF/OK/ERR that ends it. */
  private Step rows(ByteStream in, long len, int first) {
    Pending p = queue().peek();
    if (first == 0xff) {
      status = errorStatus(in);
      in.consume(4);
      in.skip(len);
      finish(p);
      return Step.PROGRESS;
    }
    if (first == 0xfe && len < MAX_PAYLOAD) {
      // EOF (5 bytes) or OK with the 0xFE header (CLIENT_DEPRECATE_EOF): both carry status flags.
      int flags = len < 9 ? eofStatusFlags(in) : okStatusFlags(in, len);
      in.consume(4);
      in.skip(len);
      if ((flags & SERVER_MORE_RESULTS_EXISTS) != 0) {
        state = State.FIRST;
      } else {
        finish(p);
      }
      return Step.PROGRESS;
    }
    return skipPacket(in, len);
  }

  private void finish(Pending p) {
    queue().poll();
    state = State.FIRST;
    Status s = status;
    status = Status.OK;
    complete(p, s, 0);
  }

  /** Status flags of an EOF packet: 0xFE, warnings (2), status (2). */
  private static int eofStatusFlags(ByteStream in) {
    return in.available() >= 4 + 5 ? in.le16(4 + 3) : 0;
  }

  /**
   * Status flags of an OK packet: header, affected rows and last insert id (length-encoded), status
   * (2).
   */
  private static int okStatusFlags(ByteStream in, long len) {
    int i = 5;
    for (int k = 0; k < 2; k++) {
      if (i >= in.available()) {
        return 0;
      }
      i += lengthEncodedSize(in.u8(i));
    }
    return i + 2 <= in.available() && i + 2 <= 4 + len ? in.le16(i) : 0;
  }

  private static int lengthEncodedSize(int first) {
    return switch (first) {
      case 0xfc -> 3;
      case 0xfd -> 4;
      case 0xfe -> 9;
      default -> 1;
    };
  }

  /** A length-encoded integer at i, or -1 when not one or not captured. */
  private static long lengthEncoded(ByteStream in, int i) {
    int b = in.u8(i);
    if (b < 0xfb) {
      return b;
    }
    int size = lengthEncodedSize(b) - 1;
    if (b == 0xfb || b == 0xff || i + 1 + size > in.available()) {
      return -1;
    }
    long v = 0;
    for (int k = size - 1; k >= 0; k--) {
      v = (v << 8) | in.u8(i + 1 + k);
    }
    return v;
  }

  /** ERR packet: 0xFF, error code (2); codes 2000 and up are the client library's own. */
  private static Status errorStatus(ByteStream in) {
    if (in.available() < 7) {
      return Status.SERVER_ERROR;
    }
    return Commands.errorStatus(in.le16(5));
  }

  @Override
  protected void responsesLost(long lastTs) {
    Pending p = queue().poll();
    if (p != null) {
      complete(p, lastTs, status, 0);
    }
    state = State.FIRST;
    status = Status.OK;
  }
}
