package io.gala.agent.probe.l7;

import static org.assertj.core.api.Assertions.assertThat;

import io.gala.agent.probe.l7.ProtocolDetector.Detection;
import io.gala.agent.probe.l7.protocol.Protocol;
import io.gala.agent.probe.l7.protocol.Transcript;
import io.gala.agent.probe.l7.protocol.Transcript.Chunk;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ProtocolDetectorTest {
  @ParameterizedTest
  @CsvSource({
    "redis/cli.txt.gz, 0, REDIS, true, false",
    "redis/bench-inline.txt, 0, REDIS, true, false",
    "pgsql/psql.txt, 0, PGSQL, true, true",
    "pgsql/pgbench-simple.txt, 0, PGSQL, true, true",
    "pgsql/psql.txt, 4, PGSQL, true, false",
    "pgsql/pgbench-extended.txt, 20, PGSQL, true, false",
    "mysql/cli.txt, 0, MYSQL, false, true",
    "mysql/cli.txt, 3, MYSQL, true, false",
    "http/curl-keepalive.txt, 0, HTTP, true, false"
  })
  void recognizesTheFirstBytesOfRecordedConnections(
      String transcript, int chunk, Protocol protocol, boolean request, boolean fromStart) {
    Chunk c = Transcript.load(transcript).chunks().get(chunk);

    Detection d = ProtocolDetector.detect(c.data(), c.data().length, c.data().length);

    assertThat(d).isEqualTo(new Detection(protocol, request, fromStart));
    // A request comes from the client; MySQL's greeting (not a request) from the server.
    assertThat(c.fromClient()).isEqualTo(request);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        // TLS ClientHello, SSH banner, a Redis reply, an HTTP response, DNS over TCP, zeros.
        "160301020001000001fc0303",
        "5353482d322e302d4f70656e5353485f392e320d0a",
        "2b4f4b0d0a",
        "485454502f312e3120323030204f4b0d0a0d0a",
        "001c12340100000100000000000003777777",
        "0000000000000000000000000000000000000000"
      })
  void rejectsOtherTraffic(String hex) {
    byte[] b = HexFormat.of().parseHex(hex);
    assertThat(ProtocolDetector.detect(b, b.length, b.length)).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n", "PING\r\n", "get k\r\n"})
  void prefersHttpToTheRedisInlineForm(String s) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    Protocol expected = s.contains("HTTP/1.") ? Protocol.HTTP : Protocol.REDIS;
    assertThat(ProtocolDetector.detect(b, b.length, b.length).protocol()).isEqualTo(expected);
  }
}
