package io.gala.server.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.gala.server.ingest.EntityIds;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TopologyBuilderTest {
  static final String A = "11111111-2222-3333-4444-555555555555-10.0.0.1";
  static final String B = "66666666-7777-8888-9999-000000000000-10.0.0.2";
  static final long T0 = 1_760_000_000_000L;

  static String proc(String mid, int tgid) {
    return EntityIds.of(mid, "proc", String.valueOf(tgid));
  }

  static String host(String mid) {
    return EntityIds.of(mid, "host");
  }

  static boolean has(Snapshot s, Relation r, String from, String to) {
    return s.edges().values().stream()
        .anyMatch(e -> e.type() == r && e.from().equals(from) && e.to().equals(to));
  }

  static List<Edge> edges(Snapshot s, Relation r) {
    return s.edges().values().stream().filter(e -> e.type() == r).toList();
  }

  @Test
  void matchesTheTwoEndsOfAConnectionAcrossTwoMachines() {
    TopologyBuilder b = TopologyBuilder.withDefaults();
    new AgentRecords(A, T0)
        .proc(100, "redis-benchmark", 1)
        .link(100, "redis-benchmark", "client", "10.0.0.1", 40000, "10.0.0.2", 6379)
        .to(b);
    new AgentRecords(B, T0)
        .proc(200, "redis-server", 1)
        .link(200, "redis-server", "server", "10.0.0.1", 40000, "10.0.0.2", 6379)
        .to(b);

    Snapshot s = b.snapshot(T0 + 1000);

    List<Edge> peers = edges(s, Relation.IS_PEER);
    assertThat(peers).hasSize(1);
    Node client = s.node(peers.get(0).from());
    Node server = s.node(peers.get(0).to());
    assertThat(client.machineId()).isEqualTo(A);
    assertThat(client.attribute("role")).isEqualTo("client");
    assertThat(server.machineId()).isEqualTo(B);
    assertThat(peers.get(0).detail()).isEqualTo("10.0.0.2:6379");
    assertThat(has(s, Relation.CONNECT, proc(A, 100), proc(B, 200))).isTrue();
    assertThat(has(s, Relation.CONNECT, host(A), host(B))).isTrue();
    assertThat(edges(s, Relation.CONNECT)).allMatch(e -> e.detail().equals("6379"));
  }

  @Test
  void liftsConnectToProcessAppInstanceContainerAndHost() {
    TopologyBuilder b = TopologyBuilder.withDefaults();
    new AgentRecords(A, T0)
        .proc(100, "app", 1, "aaaaaaaaaaaa")
        .link(100, "app", "client", "10.0.0.1", 40001, "10.0.0.2", 5432)
        .to(b);
    new AgentRecords(B, T0)
        .proc(200, "postgres", 1, "bbbbbbbbbbbb")
        .proc(201, "postgres", 200, "bbbbbbbbbbbb")
        .link(201, "postgres", "server", "10.0.0.1", 40001, "10.0.0.2", 5432)
        .to(b);

    Snapshot s = b.snapshot(T0 + 1000);

    String appA = EntityIds.of(A, "appinstance", "aaaaaaaaaaaa_app_100");
    String appB = EntityIds.of(B, "appinstance", "bbbbbbbbbbbb_postgres_5432");
    assertThat(has(s, Relation.CONNECT, proc(A, 100), proc(B, 201))).isTrue();
    assertThat(has(s, Relation.CONNECT, appA, appB)).isTrue();
    assertThat(
            has(
                s,
                Relation.CONNECT,
                EntityIds.of(A, "container", "aaaaaaaaaaaa"),
                EntityIds.of(B, "container", "bbbbbbbbbbbb")))
        .isTrue();
    assertThat(has(s, Relation.CONNECT, host(A), host(B))).isTrue();
    assertThat(
            has(s, Relation.BELONGS_TO, proc(B, 201), EntityIds.of(B, "container", "bbbbbbbbbbbb")))
        .isTrue();
    assertThat(has(s, Relation.RUNS_ON, EntityIds.of(B, "container", "bbbbbbbbbbbb"), host(B)))
        .isTrue();
  }

  @Test
  void groupsPostgresBackendsUnderTheirPostmasterAsOneAppInstance() {
    TopologyBuilder b = TopologyBuilder.withDefaults();
    new AgentRecords(A, T0)
        .proc(1, "systemd", 0)
        .proc(500, "postgres", 1)
        .proc(501, "postgres", 500)
        .proc(502, "postgres", 500)
        .proc(600, "pgbench", 1)
        .proc(700, "nginx", 1)
        .proc(701, "nginx", 700)
        .link(600, "pgbench", "client", "127.0.0.1", 41000, "127.0.0.1", 5432)
        .link(600, "pgbench", "client", "127.0.0.1", 41001, "127.0.0.1", 5432)
        .link(501, "postgres", "server", "127.0.0.1", 41000, "127.0.0.1", 5432)
        .link(502, "postgres", "server", "127.0.0.1", 41001, "127.0.0.1", 5432)
        .to(b);

    Snapshot s = b.snapshot(T0 + 1000);

    String pg = EntityIds.of(A, "appinstance", "postgres_5432");
    assertThat(s.node(pg).attribute("root_tgid")).isEqualTo("500");
    for (int tgid : new int[] {500, 501, 502}) {
      assertThat(has(s, Relation.BELONGS_TO, proc(A, tgid), pg)).as("postgres %d", tgid).isTrue();
    }
    String nginx = EntityIds.of(A, "appinstance", "nginx_700");
    assertThat(has(s, Relation.BELONGS_TO, proc(A, 701), nginx)).isTrue();
    assertThat(has(s, Relation.BELONGS_TO, proc(A, 1), pg)).isFalse();
    String pgbench = EntityIds.of(A, "appinstance", "pgbench_600");
    assertThat(has(s, Relation.CONNECT, pgbench, pg)).isTrue();
    assertThat(has(s, Relation.CONNECT, proc(A, 600), proc(A, 501))).isTrue();
    assertThat(has(s, Relation.CONNECT, proc(A, 600), proc(A, 502))).isTrue();
    assertThat(s.edges().values())
        .noneMatch(e -> e.type() == Relation.CONNECT && e.from().equals(e.to()));
  }

  @Test
  void groupsBackendsByTheirServerPortWhenTheProcessTableIsMissing() {
    TopologyBuilder b = TopologyBuilder.withDefaults();
    new AgentRecords(A, T0)
        .link(501, "postgres", "server", "10.0.0.9", 41000, "10.0.0.1", 5432)
        .link(502, "postgres", "server", "10.0.0.9", 41001, "10.0.0.1", 5432)
        .to(b);

    Snapshot s = b.snapshot(T0 + 1000);

    String pg = EntityIds.of(A, "appinstance", "postgres_5432");
    assertThat(has(s, Relation.BELONGS_TO, proc(A, 501), pg)).isTrue();
    assertThat(has(s, Relation.BELONGS_TO, proc(A, 502), pg)).isTrue();
    assertThat(s.node(proc(A, 501)).attribute("comm")).isEqualTo("postgres");
    assertThat(has(s, Relation.RUNS_ON, proc(A, 501), host(A))).isTrue();
  }

  @Test
  void loopbackConnectionsDoNotMatchAcrossMachines() {
    TopologyBuilder b = TopologyBuilder.withDefaults();
    new AgentRecords(A, T0).link(100, "cli", "client", "127.0.0.1", 40000, "127.0.0.1", 6379).to(b);
    new AgentRecords(B, T0).link(200, "srv", "server", "127.0.0.1", 40000, "127.0.0.1", 6379).to(b);

    assertThat(edges(b.snapshot(T0 + 1000), Relation.IS_PEER)).isEmpty();
  }

  @Test
  void anEdgeIsGoneFromTheNextSnapshotAfterItsConnectionCloses() {
    TopologyBuilder b = TopologyBuilder.withDefaults();
    for (AgentRecords r : List.of(new AgentRecords(A, T0), new AgentRecords(B, T0))) {
      (r.machineId.equals(A)
              ? r.link(100, "cli", "client", "10.0.0.1", 40000, "10.0.0.2", 80)
              : r.link(200, "srv", "server", "10.0.0.1", 40000, "10.0.0.2", 80))
          .to(b);
    }
    assertThat(edges(b.snapshot(T0 + 1000), Relation.IS_PEER)).hasSize(1);

    // Next sample: the connection closed, both agents report their other connections but not this
    // one.
    new AgentRecords(A, T0 + 5000)
        .link(100, "cli", "client", "10.0.0.1", 40002, "10.0.0.3", 80)
        .to(b);
    new AgentRecords(B, T0 + 5000)
        .link(200, "srv", "server", "10.0.0.7", 40003, "10.0.0.2", 80)
        .to(b);
    Snapshot after = b.snapshot(T0 + 6000);

    assertThat(edges(after, Relation.IS_PEER)).isEmpty();
    assertThat(has(after, Relation.CONNECT, proc(A, 100), proc(B, 200))).isFalse();
    assertThat(has(after, Relation.CONNECT, host(A), host(B))).isFalse();
  }

  @Test
  void aSampleSplitInPartsShowsNothingGoneUntilItsLastPartArrives() {
    TopologyBuilder b = TopologyBuilder.withDefaults();
    new AgentRecords(A, T0)
        .link(100, "cli", "client", "10.0.0.1", 40000, "10.0.0.2", 80)
        .link(100, "cli", "client", "10.0.0.1", 40001, "10.0.0.2", 80)
        .to(b);
    new AgentRecords(A, T0 + 5000)
        .link(100, "cli", "client", "10.0.0.1", 40000, "10.0.0.2", 80)
        .toAsPart(b, 1, 2);
    assertThat(b.snapshot(T0 + 6000).nodes().values())
        .filteredOn(n -> n.type() == EntityType.TCP_LINK)
        .hasSize(2);

    new AgentRecords(A, T0 + 5000).proc(100, "cli", 1).toAsPart(b, 2, 2);
    assertThat(b.snapshot(T0 + 7000).nodes().values())
        .filteredOn(n -> n.type() == EntityType.TCP_LINK)
        .singleElement()
        .satisfies(n -> assertThat(n.attribute("client_port")).isEqualTo("40000"));
  }

  @Test
  void aProcessWhoseFinalRowSaysItExitedIsGoneAtOnce() {
    TopologyBuilder b = TopologyBuilder.withDefaults();
    new AgentRecords(A, T0).proc(100, "short", 1).proc(101, "long", 1).to(b);
    AgentRecords last = new AgentRecords(A, T0 + 5000).proc(101, "long", 1);
    last.records.add(
        io.gala.server.ingest.IngestedRecord.of(
            A,
            "proc",
            "proc",
            T0 + 5000,
            java.util.Map.of("tgid", "100"),
            java.util.Map.of("comm", "short"),
            java.util.Map.of("exited", 1.0)));
    last.to(b);

    Snapshot s = b.snapshot(T0 + 6000);

    assertThat(s.node(proc(A, 100))).isNull();
    assertThat(s.node(proc(A, 101))).isNotNull();
  }

  @Test
  void entitiesOfASilentAgentAgeOut() {
    TopologyBuilder b =
        new TopologyBuilder(Duration.ofSeconds(30), Duration.ofSeconds(60), Set.of("tcp_link"));
    new AgentRecords(A, T0).proc(100, "a", 1).to(b);
    new AgentRecords(B, T0).proc(200, "b", 1).to(b);
    new AgentRecords(B, T0 + 25_000).proc(200, "b", 1).to(b);

    Snapshot s = b.snapshot(T0 + 40_000);

    assertThat(s.nodes().values()).noneMatch(n -> n.machineId().equals(A));
    assertThat(s.node(proc(B, 200))).isNotNull();
    assertThat(b.liveAgents()).isEqualTo(1);
  }

  @Test
  void anEntityNotRefreshedForTheTtlAgesOutWhileItsAgentLives() {
    TopologyBuilder b =
        new TopologyBuilder(Duration.ofSeconds(60), Duration.ofSeconds(20), Set.of("tcp_link"));
    new AgentRecords(A, T0).proc(100, "exited", 1).proc(101, "alive", 1).to(b);
    new AgentRecords(A, T0 + 10_000).proc(101, "alive", 1).to(b);
    assertThat(b.snapshot(T0 + 10_000).node(proc(A, 100))).isNotNull();

    new AgentRecords(A, T0 + 30_000).proc(101, "alive", 1).to(b);
    Snapshot s = b.snapshot(T0 + 30_000);

    assertThat(s.node(proc(A, 100))).isNull();
    assertThat(s.node(proc(A, 101))).isNotNull();
  }

  @Test
  void blockBelongsToItsDiskAndStorageToItsHost() {
    TopologyBuilder b = TopologyBuilder.withDefaults();
    new AgentRecords(A, T0)
        .block("7", "0", "loop0", "loop0")
        .block("8", "1", "sda1", "sda")
        .fs("/mnt/nfs", "10.0.0.2:/export", "nfs4")
        .fs("/", "/dev/sda1", "ext4")
        .to(b);
    new AgentRecords(B, T0).proc(1, "init", 0).to(b);

    Snapshot s = b.snapshot(T0 + 1000);

    String sda = EntityIds.of(A, "disk", "sda");
    assertThat(has(s, Relation.BELONGS_TO, EntityIds.of(A, "block", "8", "1"), sda)).isTrue();
    assertThat(has(s, Relation.BELONGS_TO, sda, host(A))).isTrue();
    assertThat(edges(s, Relation.STORE_IN))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.from()).isEqualTo(host(A));
              assertThat(e.to()).isEqualTo(host(B));
              assertThat(e.detail()).isEqualTo("/mnt/nfs");
            });
  }

  @Test
  void levelsShowWhatTheyPromise() {
    TopologyBuilder b = TopologyBuilder.withDefaults();
    new AgentRecords(A, T0)
        .proc(100, "cli", 1)
        .link(100, "cli", "client", "10.0.0.1", 40000, "10.0.0.2", 80)
        .to(b);
    new AgentRecords(B, T0)
        .proc(200, "srv", 1)
        .link(200, "srv", "server", "10.0.0.1", 40000, "10.0.0.2", 80)
        .to(b);
    Snapshot s = b.snapshot(T0 + 1000);

    Snapshot hostLevel = s.view(Level.HOST);
    assertThat(hostLevel.nodes().values()).extracting(Node::type).containsOnly(EntityType.HOST);
    assertThat(hostLevel.edges().values()).extracting(Edge::type).containsExactly(Relation.CONNECT);
    Snapshot process = s.view(Level.PROCESS);
    assertThat(process.nodes().values()).extracting(Node::type).doesNotContain(EntityType.TCP_LINK);
    assertThat(process.edges().values()).extracting(Edge::type).doesNotContain(Relation.IS_PEER);
    assertThat(s.view(Level.RPC).edges()).hasSize(s.edges().size());
  }

  @Test
  void unchangedNodesAreSharedWithThePreviousSnapshot() {
    TopologyBuilder b = TopologyBuilder.withDefaults();
    new AgentRecords(A, T0).proc(100, "a", 1).to(b);
    Snapshot first = b.snapshot(T0 + 1000);
    new AgentRecords(A, T0 + 5000).proc(100, "a", 1).to(b);
    Snapshot second = b.snapshot(T0 + 6000);

    assertThat(second.node(proc(A, 100))).isSameAs(first.node(proc(A, 100)));
  }
}
