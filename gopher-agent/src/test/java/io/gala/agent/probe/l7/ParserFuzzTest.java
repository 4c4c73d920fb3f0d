package io.gala.agent.probe.l7;

import static org.assertj.core.api.Assertions.assertThat;

import io.gala.agent.probe.l7.http.HttpParser;
import io.gala.agent.probe.l7.kafka.KafkaParser;
import io.gala.agent.probe.l7.mysql.MysqlParser;
import io.gala.agent.probe.l7.pgsql.PgsqlParser;
import io.gala.agent.probe.l7.protocol.ExchangeSink;
import io.gala.agent.probe.l7.protocol.StreamParser;
import io.gala.agent.probe.l7.protocol.StreamParser.Limits;
import io.gala.agent.probe.l7.protocol.Transcript;
import io.gala.agent.probe.l7.protocol.Transcript.Chunk;
import io.gala.agent.probe.l7.redis.RedisParser;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Random, truncated and adversarial bytes into every parser and the detector: no exception may
 * escape, none may be caught inside either (a caught one means a parser bug), and buffers and
 * queues stay within their limits. A fixed seed and budget in CI; {@code -Dl7.fuzz.seconds=N} runs
 * longer.
 */
class ParserFuzzTest {
  private static final Limits LIMITS = new Limits(4096, 64);
  private static final Map<String, Function<ExchangeSink, StreamParser>> PARSERS =
      Map.of(
          "redis", s -> new RedisParser(LIMITS, s),
          "pgsql", s -> new PgsqlParser(LIMITS, s, true),
          "pgsql-joined", s -> new PgsqlParser(LIMITS, s, false),
          "mysql", s -> new MysqlParser(LIMITS, s, true),
          "http", s -> new HttpParser(LIMITS, s),
          "kafka", s -> new KafkaParser(LIMITS, s));
  private static final List<String> SEEDS =
      List.of(
          "redis/cli.txt.gz",
          "redis/resp3.txt.gz",
          "redis/bench-pipelined.txt",
          "pgsql/psql.txt",
          "pgsql/pgbench-prepared.txt",
          "mysql/cli.txt",
          "mysql/sysbench.txt.gz",
          "http/curl-keepalive.txt",
          "http/pipelined.txt");

  @Test
  void noInputBreaksAParserOrItsBounds() {
    long seconds = Long.getLong("l7.fuzz.seconds", 0);
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    Random rnd = new Random(20240607);
    List<List<Chunk>> corpus = new ArrayList<>();
    SEEDS.forEach(s -> corpus.add(Transcript.load(s).chunks()));
    corpus.addAll(adversarial());
    long runs = 0;
    do {
      for (int i = 0; i < 300; i++) {
        List<Chunk> input =
            switch (rnd.nextInt(4)) {
              case 0 -> randomBytes(rnd);
              case 1 -> truncate(corpus.get(rnd.nextInt(corpus.size())), rnd);
              case 2 -> mutate(corpus.get(rnd.nextInt(corpus.size())), rnd);
              default -> corpus.get(rnd.nextInt(corpus.size()));
            };
        int capture = rnd.nextBoolean() ? Integer.MAX_VALUE : 1 + rnd.nextInt(300);
        for (Map.Entry<String, Function<ExchangeSink, StreamParser>> p : PARSERS.entrySet()) {
          run(p.getKey(), p.getValue(), input, capture);
        }
        for (Chunk c : input) {
          ProtocolDetector.detect(c.data(), Math.min(c.data().length, capture), c.data().length);
        }
        runs++;
      }
    } while (System.nanoTime() < deadline);
    assertThat(runs).isPositive();
  }

  private static void run(
      String name, Function<ExchangeSink, StreamParser> factory, List<Chunk> input, int capture) {
    long[] exchanges = new long[1];
    StreamParser p = factory.apply(e -> exchanges[0]++);
    long ts = 0;
    int maxBuffered = 0;
    for (Chunk c : input) {
      p.feed(
          c.fromClient(),
          c.data(),
          0,
          Math.min(capture, c.data().length),
          c.data().length,
          ts += 1000);
      maxBuffered = Math.max(maxBuffered, p.bufferedBytes());
      assertThat(p.queuedRequests()).as(name).isLessThanOrEqualTo(LIMITS.maxPending());
    }
    p.close();
    if (p.lastFailure() != null) {
      p.lastFailure().printStackTrace();
    }
    assertThat(p.failures())
        .as(name + ": exception inside the parser: " + p.lastFailure())
        .isZero();
    assertThat(maxBuffered).as(name).isLessThanOrEqualTo(2 * LIMITS.maxBuffered());
  }

  private static List<Chunk> randomBytes(Random rnd) {
    List<Chunk> out = new ArrayList<>();
    int n = 1 + rnd.nextInt(8);
    for (int i = 0; i < n; i++) {
      byte[] b = new byte[rnd.nextInt(600)];
      rnd.nextBytes(b);
      out.add(new Chunk(rnd.nextBoolean(), b));
    }
    return out;
  }

  private static List<Chunk> truncate(List<Chunk> chunks, Random rnd) {
    List<Chunk> out = new ArrayList<>();
    int start = rnd.nextInt(Math.max(1, chunks.size()));
    int end = Math.min(chunks.size(), start + 1 + rnd.nextInt(40));
    for (Chunk c : chunks.subList(start, end)) {
      int from = rnd.nextInt(4) == 0 ? rnd.nextInt(Math.max(1, c.data().length)) : 0;
      int to =
          rnd.nextInt(4) == 0
              ? from + rnd.nextInt(Math.max(1, c.data().length - from))
              : c.data().length;
      out.add(
          new Chunk(
              c.fromClient(), java.util.Arrays.copyOfRange(c.data(), from, Math.max(from, to))));
    }
    return out;
  }

  private static List<Chunk> mutate(List<Chunk> chunks, Random rnd) {
    List<Chunk> out = new ArrayList<>();
    for (Chunk c : chunks.subList(0, Math.min(chunks.size(), 60))) {
      byte[] b = c.data().clone();
      for (int k = rnd.nextInt(4); k > 0 && b.length > 0; k--) {
        int at = rnd.nextInt(b.length);
        b[at] =
            switch (rnd.nextInt(4)) {
              case 0 -> (byte) rnd.nextInt(256);
              case 1 -> (byte) 0xff;
              case 2 -> (byte) '\r';
              default -> (byte) (b[at] ^ (1 << rnd.nextInt(8)));
            };
      }
      out.add(new Chunk(c.fromClient(), b));
    }
    return out;
  }

  /**
   * Inputs aimed at the known traps: huge lengths, deep nesting, endless lines, floods of requests.
   */
  private static List<List<Chunk>> adversarial() {
    List<List<Chunk>> out = new ArrayList<>();
    out.add(List.of(ascii(true, "*2147483647\r\n$2147483647\r\n"), ascii(false, "$-2\r\n*-5\r\n")));
    out.add(
        List.of(
            ascii(true, "*1\r\n$4\r\nPING\r\n"), ascii(false, "*1\r\n".repeat(200) + ":1\r\n")));
    out.add(List.of(ascii(true, "GET /" + "a".repeat(20_000) + " HTTP/1.1\r\n")));
    out.add(
        List.of(
            ascii(true, "*1\r\n$4\r\nPING\r\n".repeat(5_000)),
            ascii(false, "+PONG\r\n".repeat(10))));
    out.add(
        List.of(
            ascii(true, "GET / HTTP/1.1\r\n\r\n"),
            ascii(
                false,
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n")));
    out.add(
        List.of(
            new Chunk(
                true, new byte[] {'Q', (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0}),
            new Chunk(false, new byte[] {'Z', 0, 0, 0, 5, 'I', 'Z', 0, 0, 0, 5})));
    out.add(
        List.of(
            new Chunk(false, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0, 0x0a}),
            new Chunk(true, new byte[] {1, 0, 0, 0, 3})));
    out.add(
        List.of(
            new Chunk(
                true,
                new byte[] {
                  0x7f,
                  (byte) 0xff,
                  (byte) 0xff,
                  (byte) 0xff,
                  0,
                  0,
                  0,
                  1,
                  0,
                  0,
                  0,
                  1,
                  (byte) 0x80,
                  0
                }),
            new Chunk(false, new byte[] {0, 0, 0, 4, 0, 0, 0, 1})));
    return out;
  }

  private static Chunk ascii(boolean fromClient, String s) {
    return new Chunk(fromClient, s.getBytes(StandardCharsets.ISO_8859_1));
  }
}
