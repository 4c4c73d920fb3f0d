package io.gala.agent.probe.l7.kafka;

import io.gala.agent.probe.l7.protocol.ByteStream;
import io.gala.agent.probe.l7.protocol.ExchangeSink;
import io.gala.agent.probe.l7.protocol.Pending;
import io.gala.agent.probe.l7.protocol.Protocol;
import io.gala.agent.probe.l7.protocol.Status;
import io.gala.agent.probe.l7.protocol.StreamParser;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Kafka wire protocol (https://kafka.apache.org/protocol.html). Every message is an int32 size and
 * a header: requests carry api key, api version, correlation id and, from header v1, the client id
 * (v2 adds tagged fields); responses carry the correlation id, by which they are matched since a
 * client may have several requests in flight. Produce responses are read for partition error codes
 * (and ApiVersions for its top-level one); Produce with acks=0 gets no response and counts as
 * unanswered at once.
 */
public final class KafkaParser extends StreamParser {
  private static final int MAX_SIZE = 128 * 1024 * 1024;
  private static final int MAX_CLIENT_ID = 256;
  private static final int MAX_IN_FLIGHT = 1024;
  private static final int MAX_PARTITIONS_READ = 256;

  /**
   * Bytes of a request read before parsing: the header with a long client id, and Produce's acks.
   */
  private static final int HEADER_WANTED = 14 + MAX_CLIENT_ID + 64;

  private final Map<Integer, Pending> inFlight = new LinkedHashMap<>();
  private long unmatched;

  public KafkaParser(Limits limits, ExchangeSink sink) {
    super(Protocol.KAFKA, limits, sink);
  }

  /** Responses whose correlation id matched no request seen. */
  public long unmatched() {
    return unmatched;
  }

  @Override
  protected Step parseRequest(ByteStream in) {
    if (in.available() < 12) {
      return Step.NEED_MORE; // at a hole the driver restarts the stream
    }
    long size = in.be32(0) & 0xffffffffL;
    int key = (short) in.be16(4);
    int version = (short) in.be16(6);
    int correlation = in.be32(8);
    if (size < 8
        || size > MAX_SIZE
        || key < 0
        || key > KafkaApis.MAX_KEY
        || version < 0
        || version > KafkaApis.MAX_VERSION) {
      return Step.INVALID;
    }
    String clientId = "";
    boolean headerV0 = key == KafkaApis.CONTROLLED_SHUTDOWN && version == 0;
    Cursor c = new Cursor(in, 12, 4 + size);
    if (!in.atHole() && in.available() < Math.min(4 + size, HEADER_WANTED)) {
      return Step.NEED_MORE; // read client id and Produce acks whole when they are coming
    }
    if (!headerV0) {
      int n = c.int16();
      if (n < -1 || n > MAX_CLIENT_ID || n + 10L > size) {
        return Step.INVALID;
      }
      if (n > 0 && !c.bad) {
        clientId = in.text(14, n, MAX_CLIENT_ID);
        c.skip(n);
      }
    }
    String api = KafkaApis.name(key);
    Pending p =
        new Pending(
            api,
            clientId.isEmpty() ? api : api + " client=" + clientId,
            in.startTs(),
            (long) key << 16 | version);
    boolean answered = key != KafkaApis.PRODUCE || produceAcks(c, version) != 0;
    in.consume(4);
    in.skip(size);
    if (!answered) {
      abandon(p);
    } else {
      if (inFlight.size() >= MAX_IN_FLIGHT) {
        Iterator<Pending> oldest = inFlight.values().iterator();
        abandon(oldest.next());
        oldest.remove();
      }
      Pending previous = inFlight.put(correlation, p);
      if (previous != null) {
        abandon(previous);
      }
    }
    return Step.PROGRESS;
  }

  /** The acks field of a Produce request after the client id; -1 (all) when not captured. */
  private static int produceAcks(Cursor c, int version) {
    boolean flexible = version >= KafkaApis.PRODUCE_FIRST_FLEXIBLE;
    if (flexible) {
      c.skipTaggedFields();
    }
    if (version >= 3) {
      if (flexible) {
        c.skipCompactString();
      } else {
        c.skipString();
      }
    }
    int acks = c.int16();
    return c.bad ? -1 : acks;
  }

  @Override
  protected Step parseResponse(ByteStream in) {
    if (in.available() < 8) {
      return Step.NEED_MORE; // at a hole the driver restarts the stream
    }
    long size = in.be32(0) & 0xffffffffL;
    int correlation = in.be32(4);
    if (size < 4 || size > MAX_SIZE) {
      return Step.INVALID;
    }
    Pending p = inFlight.get(correlation);
    if (p == null) {
      unmatched++;
      in.consume(4);
      in.skip(size);
      return Step.PROGRESS;
    }
    int key = (int) (p.tag() >>> 16);
    int version = (int) (p.tag() & 0xffff);
    if (4 + size > in.available() && !in.atHole() && size < 4096) {
      return Step
          .NEED_MORE; // a small response split over reads: wait for all of it to read its errors
    }
    inFlight.remove(correlation);
    Status status = Status.OK;
    if (key == KafkaApis.PRODUCE) {
      status = produceStatus(new Cursor(in, 8, 4 + size), version);
    } else if (key == KafkaApis.API_VERSIONS) {
      // ApiVersions keeps response header v0 even when flexible: the error code follows at once.
      Cursor c = new Cursor(in, 8, 4 + size);
      status = statusOf(c.int16());
    }
    in.consume(4);
    in.skip(size);
    complete(p, status, 0);
    return Step.PROGRESS;
  }

  /**
   * The worst partition error of a Produce response (ProduceResponse v0 to v13), from the capture.
   */
  static Status produceStatus(Cursor c, int version) {
    boolean flexible = version >= KafkaApis.PRODUCE_FIRST_FLEXIBLE;
    if (flexible) {
      c.skipTaggedFields(); // response header v1
    }
    Status worst = Status.OK;
    int topics = c.arrayLength(flexible);
    int read = 0;
    for (int t = 0; t < topics && !c.bad && read < MAX_PARTITIONS_READ; t++) {
      if (version >= KafkaApis.PRODUCE_FIRST_TOPIC_ID) {
        c.skip(16);
      } else if (flexible) {
        c.skipCompactString();
      } else {
        c.skipString();
      }
      int partitions = c.arrayLength(flexible);
      for (int i = 0; i < partitions && !c.bad && read++ < MAX_PARTITIONS_READ; i++) {
        c.skip(4); // partition index
        int error = c.int16();
        if (c.bad) {
          break;
        }
        Status s = statusOf(error);
        if (s == Status.SERVER_ERROR || worst == Status.OK) {
          worst = s;
        }
        c.skip(8 + (version >= 2 ? 8 : 0) + (version >= 5 ? 8 : 0));
        if (version >= 8) {
          int recordErrors = c.arrayLength(flexible);
          for (int r = 0; r < recordErrors && !c.bad; r++) {
            c.skip(4);
            if (flexible) {
              c.skipCompactString();
              c.skipTaggedFields();
            } else {
              c.skipString();
            }
          }
          if (flexible) {
            c.skipCompactString();
          } else {
            c.skipString();
          }
        }
        if (flexible) {
          c.skipTaggedFields();
        }
      }
      if (flexible) {
        c.skipTaggedFields();
      }
    }
    return worst;
  }

  static Status statusOf(int errorCode) {
    if (errorCode == 0) {
      return Status.OK;
    }
    return KafkaApis.clientError(errorCode) ? Status.CLIENT_ERROR : Status.SERVER_ERROR;
  }

  @Override
  protected void responsesLost(long lastTs) {
    // Responses are matched by correlation id: a lost one stays in flight until evicted or closed.
  }

  @Override
  protected void closed() {
    for (Pending p : inFlight.values()) {
      abandon(p);
    }
    inFlight.clear();
  }
}
