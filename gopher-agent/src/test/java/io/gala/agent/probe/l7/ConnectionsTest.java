package io.gala.agent.probe.l7;

import static org.assertj.core.api.Assertions.assertThat;

import io.gala.agent.probe.ProcessLabels;
import io.gala.agent.probe.l7.protocol.Protocol;
import io.gala.agent.probe.l7.protocol.StreamParser;
import io.gala.agent.probe.l7.protocol.Transcript;
import io.gala.agent.probe.l7.protocol.Transcript.Chunk;
import io.gala.agent.table.Row;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Connections fed recorded conversations as the capture reports them, from either end. */
class ConnectionsTest {
  private final L7Metrics metrics = new L7Metrics(new L7Metrics.Limits(64, 64, 1024, 64, 0), 5);
  private final List<Long> ignored = new ArrayList<>();

  private Connections connections(Set<Protocol> protocols) {
    // A /proc fixture that does not exist: no process names, as for processes already gone.
    return new Connections(
        metrics,
        new ProcessLabels(Path.of("/nonexistent")),
        protocols,
        StreamParser.Limits.DEFAULT,
        16,
        (sock, slot) -> ignored.add(sock));
  }

  private static Connections.NewConnection endpoint(
      String local, int localPort, String remote, int remotePort) {
    return new Connections.NewConnection() {
      public String local() {
        return local;
      }

      public int localPort() {
        return localPort;
      }

      public String remote() {
        return remote;
      }

      public int remotePort() {
        return remotePort;
      }

      public String comm() {
        return "fixture";
      }

      public long parentTgid() {
        return 0;
      }

      public int slot() {
        return 0;
      }
    };
  }

  /**
   * Replays a transcript as one end's socket I/O: the client sends C chunks, the server receives
   * them.
   */
  private static void replay(
      Connections c, String transcript, long sock, long tgid, boolean asClient) {
    Connections.NewConnection ends =
        asClient
            ? endpoint("127.0.0.1", 40001, "127.0.0.1", 6379)
            : endpoint("127.0.0.1", 6379, "127.0.0.1", 40001);
    long ts = 0;
    for (Chunk ch : Transcript.load(transcript).chunks()) {
      boolean sent = ch.fromClient() == asClient;
      c.onData(sock, tgid, ts += 1000, sent, ch.data(), ch.data().length, ch.data().length, ends);
    }
    c.onClose(sock);
  }

  private List<Row> sample() {
    List<Row> rows = new ArrayList<>();
    metrics.sample(rows::add);
    return rows;
  }

  @Test
  void detectsRolesFromWhichEndSendsTheRequests() {
    Connections c = connections(EnumSet.allOf(Protocol.class));
    replay(c, "redis/cli.txt.gz", 1, 10, true);
    replay(c, "redis/cli.txt.gz", 2, 20, false);

    List<Row> rows = sample();

    assertThat(rows)
        .filteredOn(r -> r.table() == L7Tables.RPC)
        .extracting(
            r ->
                r.key("tgid")
                    + "/"
                    + r.key("l7_role")
                    + "/"
                    + r.key("server_port")
                    + "/"
                    + r.value("req_count"))
        .containsExactlyInAnyOrder("10/client/6379/13.0", "20/server/6379/13.0");
    assertThat(rows)
        .filteredOn(r -> r.table() == L7Tables.LINK)
        .allSatisfy(
            r -> {
              assertThat(r.label("comm")).isEqualTo("fixture");
              assertThat(r.value("bytes_sent") + r.value("bytes_recv")).isPositive();
            });
  }

  @Test
  void mysqlServerSpeaksFirstAndIsStillTheServer() {
    Connections c = connections(EnumSet.allOf(Protocol.class));
    replay(c, "mysql/cli.txt", 3, 30, false);

    assertThat(sample())
        .filteredOn(r -> r.table() == L7Tables.RPC)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.key("protocol")).isEqualTo("mysql");
              assertThat(r.key("l7_role")).isEqualTo("server");
              assertThat(r.value("req_count")).isEqualTo(11);
            });
  }

  @Test
  void putsTogetherALengthReadAndTheRestBeforeDetecting() {
    Connections c = connections(EnumSet.allOf(Protocol.class));
    // A Kafka broker reads the 4-byte size, then the request: ApiVersions v3, correlation id 1.
    byte[] request = java.util.HexFormat.of().parseHex("00120003000000010006616263646566000161");
    Connections.NewConnection ends = endpoint("127.0.0.1", 9092, "127.0.0.1", 40002);
    c.onData(6, 60, 1, false, new byte[] {0, 0, 0, (byte) request.length}, 4, 4, ends);
    c.onData(6, 60, 2, false, request, request.length, request.length, ends);
    byte[] response = java.util.HexFormat.of().parseHex("0000000a000000010000000000000000");
    c.onData(6, 60, 3, true, response, response.length, response.length, ends);
    c.onClose(6);

    assertThat(sample())
        .filteredOn(r -> r.table() == L7Tables.RPC_API)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.key("l7_role")).isEqualTo("server");
              assertThat(r.key("api")).isEqualTo("ApiVersions");
              assertThat(r.value("resp_count")).isEqualTo(1);
            });
  }

  @Test
  void tellsTheKernelToIgnoreWhatItCannotParseOrWasNotAskedFor() {
    Connections c = connections(EnumSet.of(Protocol.HTTP));
    replay(c, "pgsql/psql.txt", 4, 40, true);
    byte[] tls = {0x16, 3, 1, 2, 0, 1, 0, 1, (byte) 0xfc, 3, 3, 0, 0, 0, 0, 0};
    for (int i = 0; i < 8; i++) {
      c.onData(
          5,
          50,
          i,
          i % 2 == 0,
          tls,
          tls.length,
          tls.length,
          endpoint("127.0.0.1", 1, "127.0.0.1", 2));
    }

    assertThat(ignored).containsExactly(4L, 5L);
    assertThat(sample()).noneMatch(r -> r.table() == L7Tables.RPC);
  }
}
