package io.gala.server.topology;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What changed from one snapshot to the next: nodes added or changed (upserts, whole), nodes
 * removed (ids), edges added (whole) and removed (keys). The snapshot store keeps these between
 * checkpoints, and {@link TopologyDiff} is built from one.
 */
public record SnapshotDelta(
    long fromMillis,
    long toMillis,
    List<Node> upsertedNodes,
    List<String> removedNodes,
    List<Edge> addedEdges,
    List<String> removedEdges) {

  public SnapshotDelta {
    upsertedNodes = List.copyOf(upsertedNodes);
    removedNodes = List.copyOf(removedNodes);
    addedEdges = List.copyOf(addedEdges);
    removedEdges = List.copyOf(removedEdges);
  }

  /** The changes that turn {@code a} into {@code b}. */
  public static SnapshotDelta between(Snapshot a, Snapshot b) {
    List<Node> upserted = new ArrayList<>();
    for (Node n : b.nodes().values()) {
      Node old = a.nodes().get(n.id());
      if (old != n && !n.equals(old)) {
        upserted.add(n);
      }
    }
    List<String> removed = new ArrayList<>();
    for (String id : a.nodes().keySet()) {
      if (!b.nodes().containsKey(id)) {
        removed.add(id);
      }
    }
    List<Edge> added = new ArrayList<>();
    for (Map.Entry<String, Edge> e : b.edges().entrySet()) {
      if (!a.edges().containsKey(e.getKey())) {
        added.add(e.getValue());
      }
    }
    List<String> gone = new ArrayList<>();
    for (String k : a.edges().keySet()) {
      if (!b.edges().containsKey(k)) {
        gone.add(k);
      }
    }
    return new SnapshotDelta(
        a.timestampMillis(), b.timestampMillis(), upserted, removed, added, gone);
  }

  /**
   * Applies this delta to {@code a} (the snapshot it was computed from) and returns the next
   * snapshot.
   */
  public Snapshot applyTo(Snapshot a) {
    Map<String, Node> nodes = new HashMap<>(a.nodes());
    Map<String, Edge> edges = new HashMap<>(a.edges());
    applyIn(nodes, edges);
    return new Snapshot(toMillis, nodes, edges);
  }

  /**
   * Applies this delta to mutable copies of a snapshot's maps (replaying many deltas copies once).
   */
  void applyIn(Map<String, Node> nodes, Map<String, Edge> edges) {
    removedNodes.forEach(nodes::remove);
    upsertedNodes.forEach(n -> nodes.put(n.id(), n));
    removedEdges.forEach(edges::remove);
    addedEdges.forEach(e -> edges.put(e.key(), e));
  }

  public boolean isEmpty() {
    return upsertedNodes.isEmpty()
        && removedNodes.isEmpty()
        && addedEdges.isEmpty()
        && removedEdges.isEmpty();
  }
}
