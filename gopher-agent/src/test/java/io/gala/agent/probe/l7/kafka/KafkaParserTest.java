package io.gala.agent.probe.l7.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.gala.agent.probe.l7.protocol.Exchange;
import io.gala.agent.probe.l7.protocol.Status;
import io.gala.agent.probe.l7.protocol.StreamParser.Limits;
import io.gala.agent.probe.l7.protocol.Transcript;
import io.gala.agent.probe.l7.protocol.Transcript.Chunk;
import io.gala.agent.probe.l7.protocol.Transcript.Cut;
import io.gala.agent.probe.l7.protocol.Transcript.Result;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Kafka messages built field by field after https://kafka.apache.org/protocol.html (request header
 * v1 and v2, ProduceRequest/Response v7 and v9, ApiVersions v3).
 */
class KafkaParserTest {
  private static Result replay(List<Chunk> chunks, Cut cut, int capture) {
    return Transcript.of(chunks)
        .replay(sink -> new KafkaParser(Limits.DEFAULT, sink), cut, capture);
  }

  @Test
  void matchesResponsesByCorrelationIdAndReadsProduceErrors() {
    for (Cut cut : Cut.values()) {
      Result r =
          replay(
              List.of(
                  new Chunk(
                      true,
                      cat(
                          apiVersionsRequest(1),
                          produceRequestV9(2, -1, 100),
                          produceRequestV9(3, -1, 100))),
                  new Chunk(false, apiVersionsResponse(1)),
                  // Answered out of order: the broker may finish partitions of request 3 first.
                  new Chunk(false, produceResponseV9(3, (short) 6)),
                  new Chunk(false, produceResponseV9(2, (short) 0))),
              cut,
              Integer.MAX_VALUE);

      assertThat(r.exchanges())
          .as(cut.toString())
          .extracting(Exchange::api)
          .containsExactly("ApiVersions", "Produce", "Produce");
      // NOT_LEADER_OR_FOLLOWER (6) is the broker's state: a server error, reported for request 3.
      assertThat(r.exchanges())
          .extracting(Exchange::status)
          .containsExactly(Status.OK, Status.SERVER_ERROR, Status.OK);
      assertThat(r.exchanges().get(0).text()).isEqualTo("ApiVersions client=producer-1");
    }
  }

  @Test
  void readsNonFlexibleProduceResponses() {
    Result r =
        replay(
            List.of(
                new Chunk(true, produceRequestV7(7, (short) 1)),
                new Chunk(false, produceResponseV7(7, (short) 3))),
            Cut.BYTES,
            Integer.MAX_VALUE);

    // UNKNOWN_TOPIC_OR_PARTITION (3) says the request named a topic that does not exist.
    assertThat(r.exchanges()).extracting(Exchange::status).containsExactly(Status.CLIENT_ERROR);
  }

  @Test
  void producesWithoutAcksAreUnansweredAtOnce() {
    Result r =
        replay(
            List.of(new Chunk(true, produceRequestV9(5, 0, 10))), Cut.RECORDED, Integer.MAX_VALUE);

    assertThat(r.exchanges()).extracting(Exchange::status).containsExactly(Status.NO_RESPONSE);
  }

  @Test
  void skipsLargeRequestsByTheirSizeWhenTheCaptureCutsThem() {
    Result r =
        replay(
            List.of(
                new Chunk(true, produceRequestV9(10, -1, 100_000)),
                new Chunk(true, produceRequestV9(11, -1, 50)),
                new Chunk(false, produceResponseV9(10, (short) 0)),
                new Chunk(false, produceResponseV9(11, (short) 0))),
            Cut.RECORDED,
            64);

    assertThat(r.exchanges()).extracting(Exchange::status).containsExactly(Status.OK, Status.OK);
    assertThat(r.parser().desyncs()).isZero();
  }

  // ---- messages after the protocol guide ----

  /**
   * Request header v2 (flexible): api key, version, correlation id, client id (int16 string), no
   * tags.
   */
  static byte[] header(int key, int version, int correlation, boolean flexible) {
    Buf b = new Buf().i16(key).i16(version).i32(correlation).str("producer-1");
    if (flexible) {
      b.u8(0);
    }
    return b.bytes();
  }

  static byte[] apiVersionsRequest(int correlation) {
    // ApiVersionsRequest v3: client_software_name, client_software_version (compact strings), tags.
    return sized(
        cat(
            header(18, 3, correlation, true),
            new Buf().compact("apache-kafka-java").compact("4.1.1").u8(0).bytes()));
  }

  static byte[] apiVersionsResponse(int correlation) {
    // Response header v0 (ApiVersions never uses v1), error_code 0, api_keys compact array of 1,
    // throttle, tags.
    return sized(
        new Buf().i32(correlation).i16(0).u8(2).i16(0).i16(0).i16(11).u8(0).i32(0).u8(0).bytes());
  }

  static byte[] produceRequestV9(int correlation, int acks, int recordBytes) {
    Buf body = new Buf().u8(0).i16(acks).i32(30000).u8(2).compact("orders").u8(2).i32(0);
    body.uvarint(recordBytes + 1).raw(new byte[recordBytes]).u8(0).u8(0).u8(0);
    return sized(cat(header(0, 9, correlation, true), body.bytes()));
  }

  static byte[] produceResponseV9(int correlation, short error) {
    Buf b = new Buf().i32(correlation).u8(0); // response header v1: tagged fields
    b.u8(2)
        .compact("orders")
        .u8(2)
        .i32(0)
        .i16(error)
        .i64(42)
        .i64(-1)
        .i64(0)
        .u8(1)
        .u8(0)
        .u8(0)
        .u8(0);
    b.i32(0).u8(0);
    return sized(b.bytes());
  }

  static byte[] produceRequestV7(int correlation, short acks) {
    Buf body =
        new Buf()
            .i16(-1)
            .i16(acks)
            .i32(30000)
            .i32(1)
            .str("orders")
            .i32(1)
            .i32(0)
            .i32(10)
            .raw(new byte[10]);
    return sized(cat(header(0, 7, correlation, false), body.bytes()));
  }

  static byte[] produceResponseV7(int correlation, short error) {
    Buf b =
        new Buf()
            .i32(correlation)
            .i32(1)
            .str("orders")
            .i32(1)
            .i32(0)
            .i16(error)
            .i64(-1)
            .i64(-1)
            .i64(0)
            .i32(0);
    return sized(b.bytes());
  }

  static byte[] sized(byte[] body) {
    return cat(ByteBuffer.allocate(4).putInt(body.length).array(), body);
  }

  static byte[] cat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** Big-endian writer of Kafka's primitive types. */
  static final class Buf {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Buf u8(int v) {
      out.write(v);
      return this;
    }

    Buf i16(int v) {
      return u8(v >> 8).u8(v);
    }

    Buf i32(int v) {
      return i16(v >> 16).i16(v);
    }

    Buf i64(long v) {
      return i32((int) (v >> 32)).i32((int) v);
    }

    Buf uvarint(int v) {
      while ((v & ~0x7f) != 0) {
        u8((v & 0x7f) | 0x80);
        v >>>= 7;
      }
      return u8(v);
    }

    Buf str(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      return i16(b.length).raw(b);
    }

    Buf compact(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      return uvarint(b.length + 1).raw(b);
    }

    Buf raw(byte[] b) {
      out.writeBytes(b);
      return this;
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }
}
