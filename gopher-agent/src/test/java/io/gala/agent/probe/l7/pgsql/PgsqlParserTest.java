package io.gala.agent.probe.l7.pgsql;

import static org.assertj.core.api.Assertions.assertThat;

import io.gala.agent.probe.l7.protocol.Exchange;
import io.gala.agent.probe.l7.protocol.Status;
import io.gala.agent.probe.l7.protocol.StreamParser.Limits;
import io.gala.agent.probe.l7.protocol.Transcript;
import io.gala.agent.probe.l7.protocol.Transcript.Chunk;
import io.gala.agent.probe.l7.protocol.Transcript.Cut;
import io.gala.agent.probe.l7.protocol.Transcript.Result;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Byte-level tests on sessions recorded from PostgreSQL 15 with psql and pgbench. The commit counts
 * expected are the server's: the {@code pg_stat_database.xact_commit} delta of the same session run
 * directly against the server when the transcripts were recorded (minus the reading session's own).
 */
class PgsqlParserTest {
  private static Result replay(String transcript, Cut cut, int capture) {
    return Transcript.load(transcript)
        .replay(sink -> new PgsqlParser(Limits.DEFAULT, sink, true), cut, capture);
  }

  @ParameterizedTest
  @EnumSource(Cut.class)
  void countsCommitsOfAPsqlSessionAsTheServerDoes(Cut cut) {
    Result r = replay("pgsql/psql.txt", cut, Integer.MAX_VALUE);

    // 19 statements sent one by one (psql splits at semicolons, ";" alone is an empty query).
    assertThat(r.exchanges()).hasSize(19);
    assertThat(r.exchanges())
        .extracting(Exchange::api)
        .startsWith("SELECT", "INSERT", "BEGIN", "UPDATE", "COMMIT");
    // xact_commit rose by 9: the session start, 7 statements or blocks, and the empty query.
    assertThat(r.commits()).isEqualTo(9);
    assertThat(r.commitsWithoutRequest()).isEqualTo(1);
    assertThat(r.exchanges())
        .filteredOn(e -> e.status().isError())
        .extracting(Exchange::text)
        .containsExactly("select * from nosuchtable;", "select 1/0;");
    assertThat(r.exchanges()).noneMatch(e -> e.status() == Status.NO_RESPONSE);
    assertThat(((PgsqlParser) r.parser()).database()).isEqualTo("postgres");
  }

  @ParameterizedTest
  @CsvSource({"pgbench-simple.txt, 7", "pgbench-extended.txt, 7", "pgbench-prepared.txt, 8"})
  void countsPgbenchCommitsInEveryQueryMode(String transcript, int serverCommits) {
    for (Cut cut : Cut.values()) {
      Result setup = replay("pgsql/pgbench-setup.txt", cut, Integer.MAX_VALUE);
      Result client = replay("pgsql/" + transcript, cut, Integer.MAX_VALUE);

      assertThat(setup.commits() + client.commits())
          .as(transcript + " cut " + cut)
          .isEqualTo(serverCommits);
      // pgbench -t 3: three TPC-B-like transactions of 7 statements, each one request.
      assertThat(client.count("UPDATE")).as(transcript).isEqualTo(9);
      assertThat(client.count("INSERT")).isEqualTo(3);
      assertThat(client.exchanges()).noneMatch(e -> e.status() != Status.OK);
    }
  }

  @Test
  void keepsCountingWhenTheCaptureCutsMessages() {
    Result r = replay("pgsql/psql.txt", Cut.RECORDED, 48);

    assertThat(r.exchanges()).hasSize(19);
    assertThat(r.exchanges()).noneMatch(e -> e.status() == Status.NO_RESPONSE);
    assertThat(r.errors()).isEqualTo(2);
  }

  @Test
  void stopsAtTlsAfterAnAcceptedSslRequest() {
    Result r =
        Transcript.of(
                List.of(
                    new Chunk(true, new byte[] {0, 0, 0, 8, 4, (byte) 0xd2, 0x16, 0x2f}),
                    new Chunk(false, new byte[] {'S'}),
                    new Chunk(true, new byte[] {0x16, 3, 1, 0, 5, 1, 0, 0, 1, 0})))
            .replay(sink -> new PgsqlParser(Limits.DEFAULT, sink, true), Cut.RECORDED);

    assertThat(r.parser().broken()).isTrue();
  }

  @Test
  void classifiesSqlStates() {
    assertThat(PgsqlParser.sqlStateStatus("42P01")).isEqualTo(Status.CLIENT_ERROR);
    assertThat(PgsqlParser.sqlStateStatus("23505")).isEqualTo(Status.CLIENT_ERROR);
    assertThat(PgsqlParser.sqlStateStatus("53300")).isEqualTo(Status.SERVER_ERROR);
    assertThat(PgsqlParser.sqlStateStatus("40P01")).isEqualTo(Status.SERVER_ERROR);
  }
}
