package io.gala.agent.probe.l7.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import io.gala.agent.probe.l7.protocol.Exchange;
import io.gala.agent.probe.l7.protocol.Status;
import io.gala.agent.probe.l7.protocol.StreamParser.Limits;
import io.gala.agent.probe.l7.protocol.Transcript;
import io.gala.agent.probe.l7.protocol.Transcript.Chunk;
import io.gala.agent.probe.l7.protocol.Transcript.Cut;
import io.gala.agent.probe.l7.protocol.Transcript.Result;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Byte-level tests on sessions recorded from MariaDB 10.11 with the mariadb client and sysbench.
 */
class MysqlParserTest {
  private static Result replay(String transcript, Cut cut, int capture) {
    return Transcript.load(transcript)
        .replay(sink -> new MysqlParser(Limits.DEFAULT, sink, true), cut, capture);
  }

  @ParameterizedTest
  @EnumSource(Cut.class)
  void matchesEveryStatementOfAClientSession(Cut cut) {
    Result r = replay("mysql/cli.txt", cut, Integer.MAX_VALUE);

    assertThat(r.exchanges())
        .extracting(Exchange::api)
        .containsExactly(
            "CREATE", "INSERT", "SELECT", "SELECT", "BEGIN", "UPDATE", "COMMIT", "SELECT", "SELECT",
            "SELECT", "DELETE");
    assertThat(r.exchanges())
        .filteredOn(e -> e.status().isError())
        .extracting(Exchange::text)
        .containsExactly("select * from nosuchtable");
    assertThat(r.exchanges()).noneMatch(e -> e.status() == Status.NO_RESPONSE);
    assertThat(r.parser().broken()).isFalse();
  }

  @ParameterizedTest
  @EnumSource(Cut.class)
  void namesPreparedStatementExecutionsByTheirKind(Cut cut) {
    Result r = replay("mysql/sysbench.txt.gz", cut, Integer.MAX_VALUE);

    // sysbench oltp_read_write --events=3 reported: read 42, write 12, other 6 (queries 60).
    assertThat(r.count("SELECT")).isEqualTo(42);
    assertThat(r.count("UPDATE") + r.count("DELETE") + r.count("INSERT")).isEqualTo(12);
    assertThat(r.count("BEGIN") + r.count("COMMIT")).isEqualTo(6);
    assertThat(r.count("PREPARE")).isEqualTo(11);
    assertThat(r.exchanges()).allMatch(e -> e.status() == Status.OK);
  }

  @Test
  void keepsMatchingWhenTheCaptureCutsResultSets() {
    Result r = replay("mysql/sysbench.txt.gz", Cut.RECORDED, 64);

    assertThat(r.count("SELECT")).isEqualTo(42);
    assertThat(r.exchanges()).noneMatch(e -> e.status() == Status.NO_RESPONSE);
  }

  @Test
  void readsResultSetsWithoutEofPackets() {
    // CLIENT_DEPRECATE_EOF: column count, one definition, a row, then OK with the 0xFE header.
    Result r =
        Transcript.of(
                List.of(
                    packet(true, 0, bytes(0x03), ascii("select 1")),
                    packet(false, 1, bytes(0x01)),
                    packet(
                        false,
                        2,
                        bytes(0x03),
                        ascii("def"),
                        bytes(0, 0, 0, 1, '1', 0, 0x0c, 0x3f, 0, 1, 0, 0, 0, 8, 0x81, 0, 0, 0, 0)),
                    packet(false, 3, bytes(0x01, '1')),
                    packet(false, 4, bytes(0xfe, 0, 0, 0x02, 0, 0, 0)),
                    packet(true, 0, bytes(0x0e)),
                    packet(false, 1, bytes(0, 0, 0, 2, 0, 0, 0))))
            .replay(sink -> new MysqlParser(Limits.DEFAULT, sink, false), Cut.RECORDED);

    assertThat(r.exchanges()).extracting(Exchange::api).containsExactly("SELECT", "PING");
    assertThat(r.exchanges()).allMatch(e -> e.status() == Status.OK);
  }

  @Test
  void classifiesErrorCodes() {
    assertThat(Commands.errorStatus(1146)).isEqualTo(Status.CLIENT_ERROR);
    assertThat(Commands.errorStatus(1064)).isEqualTo(Status.CLIENT_ERROR);
    assertThat(Commands.errorStatus(1213)).isEqualTo(Status.SERVER_ERROR);
    assertThat(Commands.errorStatus(1040)).isEqualTo(Status.SERVER_ERROR);
  }

  static Chunk packet(boolean fromClient, int seq, byte[]... parts) {
    ByteArrayOutputStream payload = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      payload.writeBytes(p);
    }
    int n = payload.size();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) n, (byte) (n >> 8), (byte) (n >> 16), (byte) seq});
    out.writeBytes(payload.toByteArray());
    return new Chunk(fromClient, out.toByteArray());
  }

  static byte[] bytes(int... v) {
    byte[] b = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      b[i] = (byte) v[i];
    }
    return b;
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
