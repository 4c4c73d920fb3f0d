package io.gala.agent.probe.l7.http;

import io.gala.agent.probe.l7.protocol.ByteStream;
import io.gala.agent.probe.l7.protocol.ExchangeSink;
import io.gala.agent.probe.l7.protocol.Pending;
import io.gala.agent.probe.l7.protocol.Protocol;
import io.gala.agent.probe.l7.protocol.Status;
import io.gala.agent.probe.l7.protocol.StreamParser;

/**
 * HTTP/1.0 and HTTP/1.1 messages (RFC 9112). A request counts at its request line; its body is
 * framed by Transfer-Encoding: chunked or Content-Length (section 6.3). Responses come back in
 * request order (keep-alive and pipelining), interim 1xx responses do not end an exchange,
 * responses to HEAD and 204/304 responses have no body, and a response without framing runs until
 * the connection closes. Status 4xx is a client error, 5xx a server error. After a protocol switch
 * (101, or CONNECT 2xx) the connection carries something else and is no longer parsed.
 */
public final class HttpParser extends StreamParser {
  private static final int MAX_LINE = 8 * 1024;
  private static final int MAX_TEXT = 256;
  private static final String[] METHODS = {
    "GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "CONNECT", "TRACE"
  };

  /** Where a message of one direction is. */
  private static final class Message {
    int state = START;
    long contentLength = -1;
    boolean chunked;
    int status;
  }

  private static final int START = 0;
  private static final int HEADERS = 1;
  private static final int CHUNK_SIZE = 2;
  private static final int CHUNK_END = 3;
  private static final int TRAILERS = 4;
  private static final int UNTIL_CLOSE = 5;

  private final Message request = new Message();
  private final Message response = new Message();
  private Pending answering;
  private boolean upgraded;

  public HttpParser(Limits limits, ExchangeSink sink) {
    super(Protocol.HTTP, limits, sink);
  }

  /** The method of a request line starting at the stream's read position, or null. */
  static String method(ByteStream in) {
    for (String m : METHODS) {
      if (in.matches(0, m, false) && in.available() > m.length() && in.u8(m.length()) == ' ') {
        return m;
      }
    }
    return null;
  }

  @Override
  protected Step parseRequest(ByteStream in) {
    Message m = request;
    if (m.state == START) {
      int eol = in.indexOfCrlf(0);
      if (eol < 0) {
        return in.available() > MAX_LINE ? Step.INVALID : Step.NEED_MORE;
      }
      String method = method(in);
      if (method == null || eol < method.length() + 10 || !in.matches(eol - 8, "HTTP/1.", false)) {
        return Step.INVALID;
      }
      String target = in.text(method.length() + 1, eol - 10 - method.length(), MAX_TEXT);
      queue().add(new Pending(method, method + " " + target, in.startTs(), 0));
      in.consume(eol + 2);
      begin(m);
      return Step.PROGRESS;
    }
    return body(in, m, false);
  }

  @Override
  protected Step parseResponse(ByteStream in) {
    Message m = response;
    if (m.state == START) {
      int eol = in.indexOfCrlf(0);
      if (eol < 0) {
        return in.available() > MAX_LINE ? Step.INVALID : Step.NEED_MORE;
      }
      if (eol < 12 || !in.matches(0, "HTTP/1.", false) || in.u8(8) != ' ') {
        return Step.INVALID;
      }
      int status = 0;
      for (int i = 9; i < 12; i++) {
        int c = in.u8(i);
        if (c < '0' || c > '9') {
          return Step.INVALID;
        }
        status = status * 10 + c - '0';
      }
      begin(m);
      m.status = status;
      if (status >= 200 || status == 101) {
        answering = queue().poll();
      }
      in.consume(eol + 2);
      return Step.PROGRESS;
    }
    return body(in, m, true);
  }

  private static void begin(Message m) {
    m.state = HEADERS;
    m.contentLength = -1;
    m.chunked = false;
    m.status = 0;
  }

  /** Header lines, then the body in the framing they announced. */
  private Step body(ByteStream in, Message m, boolean isResponse) {
    switch (m.state) {
      case HEADERS, TRAILERS -> {
        int eol = in.indexOfCrlf(0);
        if (eol < 0) {
          return in.available() > MAX_LINE ? Step.INVALID : Step.NEED_MORE;
        }
        if (eol > 0) {
          if (m.state == HEADERS) {
            header(in, m, eol);
          }
          in.consume(eol + 2);
          return Step.PROGRESS;
        }
        in.consume(2);
        if (m.state == TRAILERS) {
          return end(m, isResponse);
        }
        return headersDone(in, m, isResponse);
      }
      case CHUNK_SIZE -> {
        int eol = in.indexOfCrlf(0);
        if (eol < 0) {
          return in.available() > MAX_LINE ? Step.INVALID : Step.NEED_MORE;
        }
        long size = 0;
        int i = 0;
        for (; i < eol && i < 16; i++) {
          int d = Character.digit(in.u8(i), 16);
          if (d < 0) {
            break;
          }
          size = size * 16 + d;
        }
        if (i == 0 || i < eol && in.u8(i) != ';' && in.u8(i) != ' ' && in.u8(i) != '\t') {
          return Step.INVALID;
        }
        in.consume(eol + 2);
        if (size == 0) {
          m.state = TRAILERS;
        } else {
          in.skip(size);
          m.state = CHUNK_END;
        }
        return Step.PROGRESS;
      }
      case CHUNK_END -> {
        if (in.available() < 2) {
          return Step.NEED_MORE;
        }
        if (in.u8(0) != '\r' || in.u8(1) != '\n') {
          return Step.INVALID;
        }
        in.consume(2);
        m.state = CHUNK_SIZE;
        return Step.PROGRESS;
      }
      case UNTIL_CLOSE -> {
        in.skip(in.available());
        return Step.PROGRESS;
      }
      default -> {
        return Step.INVALID;
      }
    }
  }

  private static void header(ByteStream in, Message m, int eol) {
    if (in.matches(0, "content-length:", true)) {
      long v = 0;
      boolean digits = false;
      for (int i = 15; i < eol; i++) {
        int c = in.u8(i);
        if (c >= '0' && c <= '9' && v < Long.MAX_VALUE / 10) {
          v = v * 10 + c - '0';
          digits = true;
        } else if (c != ' ' && c != '\t') {
          break;
        }
      }
      if (digits) {
        m.contentLength = v;
      }
    } else if (in.matches(0, "transfer-encoding:", true)) {
      String value = in.text(18, eol - 18, MAX_LINE).strip().toLowerCase(java.util.Locale.ROOT);
      m.chunked = value.endsWith("chunked"); // RFC 9112 6.1: chunked must be the final coding
    }
  }

  private Step headersDone(ByteStream in, Message m, boolean isResponse) {
    if (isResponse) {
      boolean head = answering != null && answering.api().equals("HEAD");
      if (m.status < 200 && m.status != 101) {
        m.state = START; // interim response: the final one follows
        return Step.PROGRESS;
      }
      if (m.status == 101
          || answering != null && answering.api().equals("CONNECT") && m.status < 300) {
        upgraded = true;
        return end(m, true);
      }
      if (head || m.status == 204 || m.status == 304) {
        return end(m, true);
      }
    }
    if (m.chunked) {
      m.state = CHUNK_SIZE;
      return Step.PROGRESS;
    }
    if (m.contentLength > 0) {
      in.skip(m.contentLength);
      return end(m, isResponse);
    }
    if (m.contentLength < 0 && isResponse) {
      m.state = UNTIL_CLOSE; // RFC 9112 6.3 rule 8: the body ends when the connection closes
      return Step.PROGRESS;
    }
    return end(m, isResponse);
  }

  private Step end(Message m, boolean isResponse) {
    m.state = START;
    if (isResponse && answering != null) {
      Pending done = answering;
      answering = null;
      complete(done, statusOf(m.status), 0);
    }
    if (upgraded) {
      markBroken(); // websocket, h2c or a tunnel: not HTTP/1 any more
    }
    return Step.PROGRESS;
  }

  static Status statusOf(int code) {
    if (code >= 500) {
      return Status.SERVER_ERROR;
    }
    return code >= 400 ? Status.CLIENT_ERROR : Status.OK;
  }

  @Override
  protected void requestsLost() {
    request.state = START;
  }

  @Override
  protected void responsesLost(long lastTs) {
    if (answering != null) {
      complete(answering, lastTs, statusOf(response.status), 0);
      answering = null;
    }
    response.state = START;
  }

  @Override
  protected void closed() {
    if (answering != null) {
      complete(answering, statusOf(response.status), 0);
      answering = null;
    }
  }
}
