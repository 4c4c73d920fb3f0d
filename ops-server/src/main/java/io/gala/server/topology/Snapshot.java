package io.gala.server.topology;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The topology at one instant: nodes by id and edges by {@link Edge#key()}. Immutable once built;
 * {@link #view(Level)} filters it to what a level shows.
 */
public final class Snapshot {
  private final long timestampMillis;
  private final Map<String, Node> nodes;
  private final Map<String, Edge> edges;

  /** Views are asked for again and again for the latest snapshot: each is built once. */
  private final Map<Level, Snapshot> views = new java.util.concurrent.ConcurrentHashMap<>();

  Snapshot(long timestampMillis, Map<String, Node> nodes, Map<String, Edge> edges) {
    this.timestampMillis = timestampMillis;
    this.nodes = Collections.unmodifiableMap(nodes);
    this.edges = Collections.unmodifiableMap(edges);
  }

  public static Snapshot empty(long timestampMillis) {
    return new Snapshot(timestampMillis, Map.of(), Map.of());
  }

  /**
   * A snapshot of exactly these nodes and edges (edges whose ends are missing are kept as given).
   */
  public static Snapshot of(long timestampMillis, Collection<Node> nodes, Collection<Edge> edges) {
    Map<String, Node> n = new HashMap<>(nodes.size() * 2);
    nodes.forEach(x -> n.put(x.id(), x));
    Map<String, Edge> e = new HashMap<>(edges.size() * 2);
    edges.forEach(x -> e.put(x.key(), x));
    return new Snapshot(timestampMillis, n, e);
  }

  public long timestampMillis() {
    return timestampMillis;
  }

  public Map<String, Node> nodes() {
    return nodes;
  }

  public Map<String, Edge> edges() {
    return edges;
  }

  public Node node(String id) {
    return nodes.get(id);
  }

  /**
   * The nodes of the level's types and the edges of its relations whose two ends are both shown.
   */
  public Snapshot view(Level level) {
    if (level == Level.RPC) {
      return this;
    }
    return views.computeIfAbsent(level, this::filter);
  }

  private Snapshot filter(Level level) {
    Map<String, Node> n = new HashMap<>();
    for (Node x : nodes.values()) {
      if (level.includes(x.type())) {
        n.put(x.id(), x);
      }
    }
    Map<String, Edge> e = new HashMap<>();
    for (Edge x : edges.values()) {
      if (level.includes(x.type()) && n.containsKey(x.from()) && n.containsKey(x.to())) {
        e.put(x.key(), x);
      }
    }
    return new Snapshot(timestampMillis, n, e);
  }

  /** The edges that start or end at the entity. */
  public List<Edge> relationsOf(String id) {
    List<Edge> out = new ArrayList<>();
    for (Edge e : edges.values()) {
      if (e.from().equals(id) || e.to().equals(id)) {
        out.add(e);
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return "Snapshot["
        + timestampMillis
        + ", "
        + nodes.size()
        + " nodes, "
        + edges.size()
        + " edges]";
  }
}
