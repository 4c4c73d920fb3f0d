package io.gala.agent.probe.l7;

import io.gala.agent.probe.ProcessInfo;
import io.gala.agent.probe.l7.protocol.Exchange;
import io.gala.agent.probe.l7.protocol.Protocol;
import io.gala.agent.table.LogLinearBuckets;
import io.gala.agent.table.Row;
import io.gala.agent.table.TableDef;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Aggregates what the parsers report into the l7 tables: per link, per api of a link, and the
 * server-side SLIs. Written by the ring buffer thread, read by the sampler; every method holds this
 * object's lock. Bounded: links, apis per link and SLI entities beyond their limits are counted as
 * dropped, not kept.
 */
final class L7Metrics {
  /** l7_rpc: 8 buckets per power of two, so that a median read from it is within 10 %. */
  static final LogLinearBuckets.Range LINK_RANGE = LogLinearBuckets.Range.nanosToSeconds(8);

  /**
   * l7_rpc_api: 4 per power of two (median within 19 %): one series set per api multiplies fast.
   */
  static final LogLinearBuckets.Range API_RANGE = LogLinearBuckets.Range.nanosToSeconds(4);

  private static final long SLI_IDLE_NS = 300_000_000_000L;

  /**
   * Sizes that bound the aggregates, and how long a link without connections lives on (so that a
   * client that connects per request keeps one series instead of a counter reset every period).
   */
  record Limits(int maxLinks, int maxApisPerLink, int maxApis, int maxSlis, long lingerNs) {}

  /**
   * An SLI entity: one server endpoint (ins_id), app and method; its tgid is resolved on the side.
   */
  private record SliKey(TableDef table, String insId, String app, String method) {}

  /**
   * Server-side request times of one instance and method in the current period, and its commits.
   */
  private static final class SliStats {
    final String serverIp;
    final int serverPort;

    /**
     * The instance's process: resolved through /proc when possible, else the first connection's.
     */
    long tgid;

    boolean tgidResolved;
    String database = "";
    long sumNs;
    long count;
    long maxNs;
    long commits;
    long commitsMark;
    long lastActiveNs;

    SliStats(String serverIp, int serverPort) {
      this.serverIp = serverIp;
      this.serverPort = serverPort;
    }
  }

  private final Limits limits;
  private final Map<LinkKey, LinkStats> links = new LinkedHashMap<>();
  private final Map<SliKey, SliStats> slis = new HashMap<>();
  private final SlowRequests slow;
  private final long wallOffsetNs = System.currentTimeMillis() * 1_000_000 - System.nanoTime();
  private long lastSampleNs = System.nanoTime();
  private long linksDropped;
  private int apiCount;
  private long apisDropped;
  private long slisDropped;

  L7Metrics(Limits limits, int slowRequests) {
    this.limits = limits;
    this.slow = new SlowRequests(slowRequests);
  }

  /** Counts a connection into its link (created on first use); null when the link table is full. */
  synchronized LinkStats open(Connection c, Protocol protocol, ProcessInfo process) {
    LinkKey key =
        new LinkKey(
            c.tgid,
            c.clientIp(),
            c.serverIp(),
            c.serverPort(),
            c.role(),
            c.role(),
            protocol,
            c.ssl());
    LinkStats link = links.get(key);
    if (link == null) {
      if (links.size() >= limits.maxLinks()) {
        linksDropped++;
        return null;
      }
      link = new LinkStats(key, process, limits.maxApisPerLink(), LINK_RANGE, API_RANGE);
      links.put(key, link);
    }
    link.openConnections++;
    link.active = true;
    // Bytes moved while the protocol was being detected belong to the link too.
    link.io.addAll(c.io);
    return link;
  }

  synchronized void closed(Connection c) {
    if (c.link != null) {
      c.link.openConnections--;
      c.link.active = true;
    }
  }

  synchronized void io(LinkStats link, boolean sent, long bytes) {
    link.io.add(sent, bytes);
    link.active = true;
  }

  synchronized void exchange(Connection c, Exchange e) {
    LinkStats link = c.link;
    if (link == null) {
      return;
    }
    link.rpc.record(e);
    RpcStats api = link.api(e.api(), this::takeApi);
    if (api != null) {
      api.record(e);
    }
    link.active = true;
    slow.offer(e, c, link.process.comm(), wallOffsetNs);
    Protocol p = link.key.protocol();
    if (!c.client && e.latencyNs() > 0 && (p == Protocol.REDIS || p == Protocol.PGSQL)) {
      SliStats s = sli(L7Tables.SLI, c, e.api(), e.responseNs());
      if (s != null) {
        s.sumNs += e.latencyNs();
        s.count++;
        s.maxNs = Math.max(s.maxNs, e.latencyNs());
      }
    }
    if (e.commits() > 0) {
      commits(c, c.database(), e.commits(), e.responseNs());
    }
  }

  /** Transactions a server connection committed (PostgreSQL), counted into pg_tps. */
  synchronized void commits(Connection c, String database, int n, long ts) {
    if (c.client || c.link == null || c.link.key.protocol() != Protocol.PGSQL) {
      return;
    }
    SliStats s = sli(L7Tables.PG_TPS, c, database, ts);
    if (s != null) {
      s.commits += n;
      s.database = database;
    }
  }

  private SliStats sli(TableDef table, Connection c, String method, long ts) {
    String app = c.link.key.protocol() == Protocol.REDIS ? "redis" : "postgresql";
    SliKey key = new SliKey(table, c.serverEndpoint(), app, method);
    SliStats s = slis.get(key);
    if (s == null) {
      if (slis.size() >= limits.maxSlis()) {
        slisDropped++;
        return null;
      }
      s = new SliStats(c.serverIp(), c.serverPort());
      slis.put(key, s);
    }
    s.lastActiveNs = ts;
    if (c.instanceTgid > 0 && !s.tgidResolved) {
      s.tgid = c.instanceTgid;
      s.tgidResolved = true;
    } else if (s.tgid == 0) {
      s.tgid = c.tgid;
    }
    return s;
  }

  private boolean takeApi() {
    if (apiCount >= limits.maxApis()) {
      apisDropped++;
      return false;
    }
    apiCount++;
    return true;
  }

  /** Emits every table's rows for the period that ends now, then forgets entities gone quiet. */
  synchronized void sample(Consumer<Row> sink) {
    long now = System.nanoTime();
    double seconds = (now - lastSampleNs) / 1e9;
    lastSampleNs = now;
    for (Iterator<LinkStats> it = links.values().iterator(); it.hasNext(); ) {
      LinkStats l = it.next();
      emitLink(l, seconds, sink);
      if (l.active) {
        l.lastActiveNs = now;
      }
      l.active = false;
      if (l.openConnections <= 0 && now - l.lastActiveNs >= limits.lingerNs()) {
        it.remove(); // emitted one last time above with its final values
        apiCount -= l.apis.size();
      }
    }
    for (Iterator<Map.Entry<SliKey, SliStats>> it = slis.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<SliKey, SliStats> e = it.next();
      emitSli(e.getKey(), e.getValue(), seconds, sink);
      if (now - e.getValue().lastActiveNs > SLI_IDLE_NS) {
        it.remove();
      }
    }
    slow.rotate();
  }

  private static void emitLink(LinkStats l, double seconds, Consumer<Row> sink) {
    sink.accept(
        keys(L7Tables.LINK.row(), l)
            .set("bytes_sent", l.io.bytesSent)
            .set("bytes_recv", l.io.bytesRecv)
            .set("segs_sent", l.io.segsSent)
            .set("segs_recv", l.io.segsRecv)
            .build());
    if (l.rpc.requests() == 0) {
      return;
    }
    Row.Builder rpc = keys(L7Tables.RPC.row(), l);
    l.rpc.fill(rpc, seconds, false);
    sink.accept(rpc.build());
    for (Map.Entry<String, RpcStats> api : l.apis.entrySet()) {
      Row.Builder row = keys(L7Tables.RPC_API.row(), l).key("api", api.getKey());
      api.getValue().fill(row, seconds, true);
      sink.accept(row.build());
    }
  }

  private static Row.Builder keys(Row.Builder b, LinkStats l) {
    LinkKey k = l.key;
    return b.key("tgid", k.tgid())
        .key("client_ip", k.clientIp())
        .key("server_ip", k.serverIp())
        .key("server_port", k.serverPort())
        .key("l4_role", k.l4Role())
        .key("l7_role", k.l7Role())
        .key("protocol", k.protocol().label())
        .label("ssl", k.ssl() ? "1" : "0")
        .label("comm", l.process.comm())
        .label("container_id", l.process.containerId());
  }

  private static void emitSli(SliKey k, SliStats s, double seconds, Consumer<Row> sink) {
    Row.Builder b =
        k.table()
            .row()
            .key("tgid", s.tgid)
            .key("ins_id", k.insId())
            .key("app", k.app())
            .key("method", k.method())
            .label("server_ip", s.serverIp)
            .label("server_port", s.serverPort);
    if (k.table() == L7Tables.PG_TPS) {
      long delta = s.commits - s.commitsMark;
      s.commitsMark = s.commits;
      sink.accept(
          b.label("datname", s.database)
              .set("tps", seconds > 0 ? delta / seconds : 0)
              .set("commit_count", s.commits)
              .build());
      return;
    }
    if (s.count == 0) {
      return;
    }
    sink.accept(b.set("rtt_nsec", (double) s.sumNs / s.count).set("max_rtt_nsec", s.maxNs).build());
    s.sumNs = 0;
    s.count = 0;
    s.maxNs = 0;
  }

  synchronized List<SlowRequest> slowRequests() {
    return slow.last();
  }

  synchronized Map<String, Long> health() {
    Map<String, Long> h = new LinkedHashMap<>();
    h.put("links", (long) links.size());
    h.put("links_dropped", linksDropped);
    h.put("apis", (long) apiCount);
    h.put("apis_dropped", apisDropped);
    h.put("sli_dropped", slisDropped);
    return h;
  }
}
