package io.gala.server.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotHistoryTest {
  static final long T0 = 1_760_000_000_000L;
  static final Duration DAY = Duration.ofDays(1);

  /**
   * Snapshot i has host h, procs p0..p(i) and an edge p(i-1) -> p(i): something changes every time.
   */
  static Snapshot snapshot(int i) {
    List<Node> nodes = new ArrayList<>();
    List<Edge> edges = new ArrayList<>();
    nodes.add(new Node("h", EntityType.HOST, "m", Map.of("machine_id", "m")));
    for (int p = 0; p <= i; p++) {
      nodes.add(new Node("p" + p, EntityType.PROC, "m", Map.of("tgid", String.valueOf(p))));
      edges.add(new Edge(Relation.RUNS_ON, "p" + p, "h", ""));
    }
    if (i > 0) {
      edges.add(new Edge(Relation.CONNECT, "p" + (i - 1), "p" + i, "80"));
    }
    return Snapshot.of(T0 + i * 15_000L, nodes, edges);
  }

  static void assertSame(Snapshot actual, Snapshot expected) {
    assertThat(actual.timestampMillis()).isEqualTo(expected.timestampMillis());
    assertThat(actual.nodes()).isEqualTo(expected.nodes());
    assertThat(actual.edges()).isEqualTo(expected.edges());
  }

  static Path onlySegment(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".seg")).findFirst().orElseThrow();
    }
  }

  @Test
  void answersWithTheSnapshotInForceAtATime() {
    SnapshotHistory h = SnapshotHistory.inMemory(DAY, 4);
    for (int i = 0; i < 10; i++) {
      h.append(snapshot(i));
    }

    assertThat(h.at(T0 - 1)).isEmpty();
    assertSame(h.at(T0).orElseThrow(), snapshot(0));
    assertSame(h.at(T0 + 5 * 15_000L + 7_000).orElseThrow(), snapshot(5));
    assertSame(h.at(T0 + 4 * 15_000L).orElseThrow(), snapshot(4));
    assertSame(h.at(T0 + 3 * 15_000L).orElseThrow(), snapshot(3));
    assertSame(h.at(Long.MAX_VALUE).orElseThrow(), snapshot(9));
    assertThat(h.size()).isEqualTo(10);
  }

  @Test
  void diffReportsTheEdgeAndEntityThatAppearedAndTheEdgeThatWent() {
    TopologyDiff d = TopologyDiff.between(snapshot(2), snapshot(3));

    assertThat(d.addedNodes()).extracting(Node::id).containsExactly("p3");
    assertThat(d.removedNodes()).isEmpty();
    assertThat(d.addedEdges())
        .extracting(Edge::key)
        .containsExactly("connect|p2|p3|80", "runs_on|p3|h|");
    assertThat(d.removedEdges()).extracting(Edge::key).containsExactly("connect|p1|p2|80");
    assertThat(TopologyDiff.between(snapshot(3), snapshot(2)).removedNodes())
        .extracting(Node::id)
        .containsExactly("p3");
  }

  @Test
  void aRestartedServerStillServesTheSnapshotsTakenBeforeIt(@TempDir Path dir) throws IOException {
    try (SnapshotHistory h = SnapshotHistory.open(dir, DAY, 3)) {
      for (int i = 0; i < 7; i++) {
        h.append(snapshot(i));
      }
    }
    try (SnapshotHistory reopened = SnapshotHistory.open(dir, DAY, 3)) {
      assertThat(reopened.size()).isEqualTo(7);
      for (int i = 0; i < 7; i++) {
        assertSame(reopened.at(T0 + i * 15_000L + 1).orElseThrow(), snapshot(i));
      }
      assertSame(reopened.latest().orElseThrow(), snapshot(6));
      // Appending after the restart continues the history in a new segment.
      reopened.append(snapshot(7));
      assertSame(reopened.at(T0 + 7 * 15_000L).orElseThrow(), snapshot(7));
    }
    try (SnapshotHistory again = SnapshotHistory.open(dir, DAY, 3)) {
      assertThat(again.size()).isEqualTo(8);
      assertThat(again.corruptRecords()).isZero();
    }
  }

  @Test
  void aTornRecordIsCutOffAndCountedAndEverythingBeforeItKept(@TempDir Path dir)
      throws IOException {
    try (SnapshotHistory h = SnapshotHistory.open(dir, DAY, 100)) {
      for (int i = 0; i < 5; i++) {
        h.append(snapshot(i));
      }
    }
    Path seg = onlySegment(dir);
    long size = Files.size(seg);
    try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
      ch.truncate(size - 3); // a crash in the middle of writing the last delta
    }

    try (SnapshotHistory h = SnapshotHistory.open(dir, DAY, 100)) {
      assertThat(h.corruptRecords()).isEqualTo(1);
      assertThat(h.size()).isEqualTo(4);
      assertSame(h.latest().orElseThrow(), snapshot(3));
    }
  }

  @Test
  void garbageInASnapshotFileIsDetectedByItsChecksum(@TempDir Path dir) throws IOException {
    try (SnapshotHistory h = SnapshotHistory.open(dir, DAY, 100)) {
      for (int i = 0; i < 3; i++) {
        h.append(snapshot(i));
      }
    }
    Path seg = onlySegment(dir);
    byte[] bytes = Files.readAllBytes(seg);
    bytes[bytes.length - 5] ^= 0x5a;
    Files.write(seg, bytes);

    try (SnapshotHistory h = SnapshotHistory.open(dir, DAY, 100)) {
      assertThat(h.corruptRecords()).isEqualTo(1);
      assertSame(h.latest().orElseThrow(), snapshot(1));
    }
  }

  @Test
  void snapshotsOlderThanTheHistoryAreDroppedWithTheirFiles(@TempDir Path dir) throws IOException {
    try (SnapshotHistory h = SnapshotHistory.open(dir, Duration.ofMinutes(1), 2)) {
      for (int i = 0; i < 10; i++) {
        h.append(snapshot(i));
      }
      long now = T0 + 9 * 15_000L;
      int dropped = h.prune(now);

      // Segments start at 0, 30, 60, 90, 120 s; the cutoff is 75 s: the segment from 60 s holds it,
      // the
      // two before it go.
      assertThat(dropped).isEqualTo(4);
      assertThat(h.at(now - 60_000)).isPresent();
      assertSame(h.at(now - 60_000).orElseThrow(), snapshot(5));
      assertThat(h.at(T0 + 30_000)).isEmpty();
      try (Stream<Path> s = Files.list(dir)) {
        assertThat(s.filter(p -> p.toString().endsWith(".seg")).count()).isEqualTo(3);
      }
    }
  }

  @Test
  void aDeltaTurnsOneSnapshotIntoTheNext() {
    SnapshotDelta d = SnapshotDelta.between(snapshot(4), snapshot(5));
    assertSame(d.applyTo(snapshot(4)), snapshot(5));
    assertThat(
            SnapshotDelta.between(
                    snapshot(5),
                    Snapshot.of(
                        snapshot(5).timestampMillis() + 1,
                        snapshot(5).nodes().values(),
                        snapshot(5).edges().values()))
                .isEmpty())
        .isTrue();
  }
}
