package io.gala.agent.probe.l7.protocol;

import java.util.ArrayDeque;

/**
 * Parses both directions of one connection incrementally and reports matched exchanges. A protocol
 * implements {@link #parseRequest} and {@link #parseResponse}, each consuming at most one message
 * from a {@link ByteStream}; this driver feeds them captured segments, handles holes and lost
 * positions, defers an exchange until the last byte of its response arrived, and turns any
 * exception or a run of invalid messages into {@link #broken()}, after which the connection costs
 * nothing more.
 *
 * <p>A lost direction restarts at its first segment after the other direction spoke: in a
 * request-response protocol that is where a new message starts. When responses lose their place,
 * the requests waiting end at the last segment seen (status OK: what the server said is unknown),
 * so that no later response is matched to the wrong request.
 *
 * <p>Not thread-safe: one parser per connection, fed from one thread. No public method throws.
 */
public abstract class StreamParser {
  /** What one parse step did. */
  protected enum Step {
    /** A message (or a part the parser keeps state for) was consumed; call again. */
    PROGRESS,
    /** The next message is incomplete; wait for more bytes. */
    NEED_MORE,
    /** The bytes are not this protocol. */
    INVALID
  }

  private static final int MAX_INVALID_RUN = 4;
  private static final int MAX_STEPS_PER_SEGMENT = 4096;
  private static final int MAX_DEFERRED = 256;

  private final Protocol protocol;
  private final ExchangeSink sink;
  private final ByteStream requests;
  private final ByteStream responses;
  private final RequestQueue queue;
  private final ArrayDeque<Exchange> deferred = new ArrayDeque<>();
  private boolean requestPeerSpoke;
  private boolean responsePeerSpoke;
  private boolean broken;
  private int invalidRun;
  private long messages;
  private long desyncs;
  private long failures;
  private RuntimeException lastFailure;

  protected StreamParser(Protocol protocol, Limits limits, ExchangeSink sink) {
    this.protocol = protocol;
    this.sink = sink;
    this.requests = new ByteStream(limits.maxBuffered());
    this.responses = new ByteStream(limits.maxBuffered());
    this.queue = new RequestQueue(this, limits.maxPending());
  }

  /** Sizes that bound a parser's memory. */
  public record Limits(int maxBuffered, int maxPending) {
    public static final Limits DEFAULT = new Limits(16 * 1024, 256);
  }

  public final Protocol protocol() {
    return protocol;
  }

  /**
   * Feeds one I/O of the connection: {@code captured} bytes at {@code data[off]} of an I/O that
   * moved {@code length} bytes, sent by the client ({@code fromClient}) or by the server, at {@code
   * ts} ns.
   */
  public final void feed(
      boolean fromClient, byte[] data, int off, int captured, long length, long ts) {
    if (broken) {
      return;
    }
    try {
      if (fromClient) {
        feed(requests, true, data, off, captured, length, ts);
      } else {
        feed(responses, false, data, off, captured, length, ts);
      }
    } catch (RuntimeException e) {
      failures++;
      lastFailure = e;
      broken = true;
    }
  }

  private void feed(
      ByteStream in, boolean request, byte[] data, int off, int captured, long length, long ts) {
    if (request) {
      responsePeerSpoke = true;
    } else {
      requestPeerSpoke = true;
    }
    if (in.lost()) {
      boolean peerSpoke = request ? requestPeerSpoke : responsePeerSpoke;
      if (!peerSpoke) {
        return;
      }
      in.restart();
    }
    in.append(data, off, captured, length, ts);
    if (in.lost()) {
      lose(in, request);
      return;
    }
    for (int steps = 0; steps < MAX_STEPS_PER_SEGMENT && in.available() > 0; steps++) {
      long before = in.position();
      Step step = request ? parseRequest(in) : parseResponse(in);
      if (broken) {
        return;
      }
      if (step == Step.PROGRESS) {
        if (in.position() == before && in.pendingSkip() == 0) {
          step = Step.INVALID; // a parser that consumes nothing would spin: treat as unparseable
        } else {
          invalidRun = 0;
          messages++;
          continue;
        }
      }
      if (step == Step.INVALID) {
        if (++invalidRun >= MAX_INVALID_RUN || messages == 0) {
          broken = true;
          return;
        }
        lose(in, request);
        return;
      }
      break; // NEED_MORE
    }
    if (in.atHole() && !in.lost()) {
      lose(in, request);
    }
    if (!request) {
      flushDeferred();
    }
    in.trim();
  }

  private void lose(ByteStream in, boolean request) {
    desyncs++;
    in.markLost();
    if (request) {
      requestPeerSpoke = false;
      requestsLost();
    } else {
      responsePeerSpoke = false;
      responsesLost(in.lastTs());
      // Responses to the requests still queued were in the lost bytes or come before the restart
      // point: matching later responses to them would shift every match after. They end here.
      for (Pending p = queue.poll(); p != null; p = queue.poll()) {
        complete(p, in.lastTs(), Status.OK, 0);
      }
      flushDeferred();
    }
  }

  /** Reports whatever is still waiting as unanswered; the connection is gone. */
  public final void close() {
    try {
      closed();
      for (Exchange e = deferred.poll(); e != null; e = deferred.poll()) {
        sink.accept(withEnd(e, responses.lastTs()));
      }
      queue.flush();
    } catch (RuntimeException e) {
      failures++;
      lastFailure = e;
    }
  }

  /**
   * Whether the connection turned out not to be this protocol (or a parser failed): stop feeding
   * it.
   */
  public final boolean broken() {
    return broken;
  }

  /** Times a direction lost its place and restarted. */
  public final long desyncs() {
    return desyncs;
  }

  /** Exceptions caught from the protocol's code (each one breaks the parser). */
  public final long failures() {
    return failures;
  }

  /**
   * Bytes this parser holds in its stream buffers now (bounded by {@link Limits#maxBuffered()}
   * each).
   */
  public final int bufferedBytes() {
    return requests.capacity() + responses.capacity();
  }

  /** Requests waiting for a response in the FIFO (bounded by {@link Limits#maxPending()}). */
  public final int queuedRequests() {
    return queue.size();
  }

  /** The last exception caught from the protocol's code, for the log; null when none. */
  public final RuntimeException lastFailure() {
    return lastFailure;
  }

  /** Messages parsed. */
  public final long messages() {
    return messages;
  }

  // ---- for protocol implementations ----

  /** Consumes at most one client message (or a part the parser keeps state for). */
  protected abstract Step parseRequest(ByteStream in);

  /** Consumes at most one server message (or a part the parser keeps state for). */
  protected abstract Step parseResponse(ByteStream in);

  /** The client direction lost its place: forget a half-parsed request. */
  protected void requestsLost() {}

  /**
   * The server direction lost its place: forget a half-parsed response, and complete the exchange
   * whose response had started (its end is not known; {@code lastTs} is the last segment seen).
   */
  protected void responsesLost(long lastTs) {}

  /** The connection closed: report what only the protocol holds (the queue is flushed already). */
  protected void closed() {}

  /** The FIFO of requests waiting for responses. */
  protected final RequestQueue queue() {
    return queue;
  }

  /** Gives up on this connection (not this protocol after all). */
  protected final void markBroken() {
    broken = true;
  }

  /**
   * Reports an exchange whose response ends with the latest server segment; held back while the
   * response's last bytes (skipped by count) are still to arrive.
   */
  protected final void complete(Pending request, Status status, int commits) {
    complete(request, responses.lastTs(), status, commits);
  }

  /**
   * Reports an exchange whose response ended at {@code responseNs}, held back like the other form.
   */
  protected final void complete(Pending request, long responseNs, Status status, int commits) {
    Exchange e =
        new Exchange(
            protocol,
            request.api(),
            request.text(),
            request.startNs(),
            responseNs,
            status,
            commits);
    if (responses.pendingSkip() > 0 || !deferred.isEmpty()) {
      if (deferred.size() >= MAX_DEFERRED) {
        sink.accept(deferred.poll());
      }
      deferred.add(e);
      return;
    }
    sink.accept(e);
  }

  /**
   * Reports commits that belong to no request (PostgreSQL session start, capture joined mid-cycle).
   */
  protected final void commitsWithoutRequest(int commits) {
    sink.commitsWithoutRequest(protocol, commits);
  }

  /** Reports a request that will get no response (Kafka acks=0, evicted or closed). */
  protected final void abandon(Pending p) {
    unanswered(p);
  }

  void unanswered(Pending p) {
    sink.accept(new Exchange(protocol, p.api(), p.text(), p.startNs(), 0, Status.NO_RESPONSE, 0));
  }

  private void flushDeferred() {
    if (responses.pendingSkip() > 0 && !responses.lost()) {
      return;
    }
    long end = responses.lastTs();
    for (Exchange e = deferred.poll(); e != null; e = deferred.poll()) {
      sink.accept(withEnd(e, end));
    }
  }

  private static Exchange withEnd(Exchange e, long end) {
    return new Exchange(
        e.protocol(),
        e.api(),
        e.text(),
        e.requestNs(),
        Math.max(end, e.responseNs()),
        e.status(),
        e.commits());
  }
}
