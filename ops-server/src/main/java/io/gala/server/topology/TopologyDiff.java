package io.gala.server.topology;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What appeared and what went between two snapshots, at one level: entities added, removed and
 * changed (same id, other attributes), edges added and removed. Lists are sorted by id or key.
 */
public record TopologyDiff(
    long fromMillis,
    long toMillis,
    List<Node> addedNodes,
    List<Node> removedNodes,
    List<Node> changedNodes,
    List<Edge> addedEdges,
    List<Edge> removedEdges) {

  /** The difference from {@code a} to {@code b}, both already filtered to the level wanted. */
  public static TopologyDiff between(Snapshot a, Snapshot b) {
    SnapshotDelta d = SnapshotDelta.between(a, b);
    List<Node> added = new ArrayList<>();
    List<Node> changed = new ArrayList<>();
    for (Node n : d.upsertedNodes()) {
      (a.nodes().containsKey(n.id()) ? changed : added).add(n);
    }
    List<Node> removed = new ArrayList<>();
    d.removedNodes().forEach(id -> removed.add(a.node(id)));
    List<Edge> gone = new ArrayList<>();
    d.removedEdges().forEach(k -> gone.add(a.edges().get(k)));
    List<Edge> appeared = new ArrayList<>(d.addedEdges());
    Comparator<Node> byId = Comparator.comparing(Node::id);
    Comparator<Edge> byKey = Comparator.comparing(Edge::key);
    added.sort(byId);
    removed.sort(byId);
    changed.sort(byId);
    appeared.sort(byKey);
    gone.sort(byKey);
    return new TopologyDiff(
        a.timestampMillis(), b.timestampMillis(), added, removed, changed, appeared, gone);
  }
}
