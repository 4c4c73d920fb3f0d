package io.gala.agent.probe.l7.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.gala.agent.probe.l7.protocol.Exchange;
import io.gala.agent.probe.l7.protocol.Status;
import io.gala.agent.probe.l7.protocol.StreamParser.Limits;
import io.gala.agent.probe.l7.protocol.Transcript;
import io.gala.agent.probe.l7.protocol.Transcript.Chunk;
import io.gala.agent.probe.l7.protocol.Transcript.Cut;
import io.gala.agent.probe.l7.protocol.Transcript.Result;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Byte-level tests on conversations recorded from nginx 1.22 with curl and a pipelining client. */
class HttpParserTest {
  private static Result replay(String transcript, Cut cut, int capture) {
    return Transcript.load(transcript)
        .replay(sink -> new HttpParser(Limits.DEFAULT, sink), cut, capture);
  }

  @ParameterizedTest
  @EnumSource(Cut.class)
  void matchesKeepAliveRequestsWithEveryKindOfBody(Cut cut) {
    Result r = replay("http/curl-keepalive.txt", cut, Integer.MAX_VALUE);

    // curl printed 200 404 200 500 200 200 200: Content-Length, gzip chunked, HEAD, chunked request
    // body.
    assertThat(r.exchanges())
        .extracting(Exchange::text)
        .containsExactly(
            "GET /index.txt",
            "GET /missing",
            "GET /gz/index.txt",
            "GET /fail",
            "HEAD /index.txt",
            "POST /echo",
            "GET /echo?user=42");
    assertThat(r.exchanges())
        .extracting(Exchange::status)
        .containsExactly(
            Status.OK,
            Status.CLIENT_ERROR,
            Status.OK,
            Status.SERVER_ERROR,
            Status.OK,
            Status.OK,
            Status.OK);
    assertThat(r.parser().broken()).isFalse();
  }

  @ParameterizedTest
  @EnumSource(Cut.class)
  void matchesPipelinedRequestsInOrder(Cut cut) {
    Result r = replay("http/pipelined.txt", cut, Integer.MAX_VALUE);

    assertThat(r.exchanges())
        .extracting(Exchange::text)
        .containsExactly(
            "GET /echo?i=0",
            "GET /echo?i=1",
            "GET /echo?i=2",
            "GET /echo?i=3",
            "GET /echo?i=4",
            "GET /index.txt");
    assertThat(r.exchanges()).allMatch(e -> e.status() == Status.OK);
  }

  @Test
  void countsEveryRequestWhenTheCaptureCutsBodies() {
    Result r = replay("http/curl-keepalive.txt", Cut.RECORDED, 200);

    assertThat(r.exchanges()).hasSize(7);
    assertThat(r.exchanges()).noneMatch(e -> e.status() == Status.NO_RESPONSE);
    assertThat(r.errors()).isEqualTo(2);
  }

  @Test
  void interimResponsesDoNotEndTheExchange() {
    Result r =
        Transcript.of(
                List.of(
                    chunk(
                        true,
                        "POST /up HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"),
                    chunk(false, "HTTP/1.1 100 Continue\r\n\r\n"),
                    chunk(true, "hello"),
                    chunk(false, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")))
            .replay(sink -> new HttpParser(Limits.DEFAULT, sink), Cut.RECORDED);

    assertThat(r.exchanges())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.status()).isEqualTo(Status.OK);
              assertThat(e.responseNs()).isEqualTo(5_000);
            });
  }

  @Test
  void stopsParsingAfterAProtocolSwitch() {
    Result r =
        Transcript.of(
                List.of(
                    chunk(
                        true,
                        "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"),
                    chunk(false, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"),
                    chunk(true, "\u0081\u0085abcd")))
            .replay(sink -> new HttpParser(Limits.DEFAULT, sink), Cut.RECORDED);

    assertThat(r.exchanges()).hasSize(1);
    assertThat(r.parser().broken()).isTrue();
  }

  static Chunk chunk(boolean fromClient, String s) {
    return new Chunk(fromClient, s.getBytes(StandardCharsets.ISO_8859_1));
  }
}
