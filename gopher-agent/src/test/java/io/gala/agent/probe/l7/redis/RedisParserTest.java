package io.gala.agent.probe.l7.redis;

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

/**
 * Byte-level tests on conversations recorded from redis-server 7 with redis-cli and
 * redis-benchmark.
 */
class RedisParserTest {
  private static final List<String> CLI_COMMANDS =
      List.of(
          "COMMAND",
          "SET",
          "GET",
          "GET",
          "LPUSH",
          "LRANGE",
          "HSET",
          "HGETALL",
          "INCR",
          "GET",
          "NOSUCHCOMMAND",
          "DEL",
          "PING");

  private static Result replay(String transcript, Cut cut, int capture) {
    return Transcript.load(transcript)
        .replay(sink -> new RedisParser(Limits.DEFAULT, sink), cut, capture);
  }

  @ParameterizedTest
  @EnumSource(Cut.class)
  void matchesEveryCommandOfARedisCliSessionHoweverTheReadsAreCut(Cut cut) {
    Result r = replay("redis/cli.txt.gz", cut, Integer.MAX_VALUE);

    assertThat(r.exchanges()).extracting(Exchange::api).containsExactlyElementsOf(CLI_COMMANDS);
    assertThat(r.exchanges()).noneMatch(e -> e.status() == Status.NO_RESPONSE);
    // INCR on a string and an unknown command: the two -ERR replies redis-cli printed.
    assertThat(r.exchanges())
        .filteredOn(e -> e.status().isError())
        .extracting(Exchange::api)
        .containsExactly("INCR", "NOSUCHCOMMAND");
    assertThat(r.exchanges()).allMatch(e -> e.latencyNs() > 0);
    assertThat(r.parser().broken()).isFalse();
  }

  @ParameterizedTest
  @EnumSource(Cut.class)
  void readsResp3MapsSetsDoublesAndNulls(Cut cut) {
    Result r = replay("redis/resp3.txt.gz", cut, Integer.MAX_VALUE);

    assertThat(r.exchanges())
        .extracting(Exchange::api)
        .containsExactly(
            "COMMAND",
            "HELLO",
            "HSET",
            "HGETALL",
            "SADD",
            "SMEMBERS",
            "ZADD",
            "ZSCORE",
            "GET",
            "EXISTS",
            "DEL");
    assertThat(r.exchanges()).allMatch(e -> e.status() == Status.OK);
  }

  @Test
  void matchesPipelinedRequestsFirstInFirstOut() {
    Result lrange = replay("redis/bench-pipelined.txt", Cut.RECORDED, Integer.MAX_VALUE);
    Result inline = replay("redis/bench-inline.txt", Cut.BYTES, Integer.MAX_VALUE);

    // redis-benchmark -n 40 -P 8: 40 requests in 5 writes of 8, answered in 5 reads.
    assertThat(lrange.count("LRANGE")).isEqualTo(40);
    assertThat(lrange.exchanges()).allMatch(e -> e.status() == Status.OK);
    assertThat(inline.count("PING")).isEqualTo(40);
    assertThat(inline.exchanges()).allMatch(e -> e.status() == Status.OK);
  }

  @Test
  void countsEveryRequestWhenLargeRepliesAreCutByTheCapture() {
    // The COMMAND DOCS reply (about 170 KB) loses its place after 256 bytes; the stream restarts at
    // the
    // next reply, after the client's next request.
    Result r = replay("redis/cli.txt.gz", Cut.RECORDED, 256);

    assertThat(r.exchanges()).extracting(Exchange::api).containsExactlyElementsOf(CLI_COMMANDS);
    assertThat(r.exchanges()).noneMatch(e -> e.status() == Status.NO_RESPONSE);
    assertThat(r.parser().desyncs()).isPositive();
  }

  @Test
  void classifiesServerStateErrorsApartFromRequestErrors() {
    Result r =
        Transcript.of(
                List.of(
                    client(
                        "*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"),
                    server(
                        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
                    server(
                        "-LOADING Redis is loading the dataset in memory\r\n-OOM command not allowed\r\n")))
            .replay(sink -> new RedisParser(Limits.DEFAULT, sink), Cut.RECORDED);

    assertThat(r.exchanges())
        .extracting(Exchange::status)
        .containsExactly(Status.CLIENT_ERROR, Status.SERVER_ERROR, Status.SERVER_ERROR);
  }

  @Test
  void pushMessagesAndAttributesDoNotShiftTheMatching() {
    Result r =
        Transcript.of(
                List.of(
                    client("*2\r\n$3\r\nGET\r\n$1\r\na\r\n*2\r\n$3\r\nGET\r\n$1\r\nb\r\n"),
                    server(">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n"),
                    server("|1\r\n+ttl\r\n:3600\r\n$1\r\n1\r\n"),
                    server("!21\r\nSYNTAX invalid syntax\r\n")))
            .replay(sink -> new RedisParser(Limits.DEFAULT, sink), Cut.BYTES);

    assertThat(r.exchanges())
        .extracting(Exchange::status)
        .containsExactly(Status.OK, Status.CLIENT_ERROR);
    assertThat(((RedisParser) r.parser()).unmatched()).isZero();
  }

  @Test
  void masksArgumentsInTheRequestText() {
    Result r =
        Transcript.of(
                List.of(
                    client("*3\r\n$3\r\nSET\r\n$7\r\nuser:42\r\n$6\r\nsecret\r\n"),
                    server("+OK\r\n")))
            .replay(sink -> new RedisParser(Limits.DEFAULT, sink), Cut.RECORDED);

    assertThat(r.exchanges()).extracting(Exchange::text).containsExactly("SET ? ?");
  }

  @Test
  void givesUpOnAStreamThatIsNotResp() {
    Result r =
        Transcript.of(
                List.of(
                    client("\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003"),
                    server("\u0016\u0003\u0003\u0000\u007a")))
            .replay(sink -> new RedisParser(Limits.DEFAULT, sink), Cut.RECORDED);

    assertThat(r.parser().broken()).isTrue();
    assertThat(r.exchanges()).isEmpty();
  }

  static Chunk client(String s) {
    return new Chunk(true, s.getBytes(StandardCharsets.ISO_8859_1));
  }

  static Chunk server(String s) {
    return new Chunk(false, s.getBytes(StandardCharsets.ISO_8859_1));
  }
}
