package io.gala.server.api;

import io.gala.server.timeseries.Point;
import io.gala.server.topology.Edge;
import io.gala.server.topology.Node;
import io.gala.server.topology.Snapshot;
import io.gala.server.topology.TopologyDiff;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The JSON shapes of the API (snake_case on the wire), built from the topology and time-series
 * model.
 */
final class Views {
  private Views() {}

  record NodeView(String id, String type, String machineId, Map<String, String> attributes) {
    static NodeView of(Node n) {
      return new NodeView(n.id(), n.type().label(), n.machineId(), n.attributes());
    }
  }

  record EdgeView(String type, String from, String to, String detail) {
    static EdgeView of(Edge e) {
      return new EdgeView(e.type().label(), e.from(), e.to(), e.detail());
    }
  }

  /** When a request asked for and which snapshot answered. */
  record At(long requested, long snapshot, String snapshotTime) {
    static At of(long requested, Snapshot s) {
      return new At(
          requested, s.timestampMillis(), Instant.ofEpochMilli(s.timestampMillis()).toString());
    }
  }

  record TopologyView(
      At at,
      String level,
      int nodeCount,
      int edgeCount,
      List<NodeView> nodes,
      List<EdgeView> edges) {
    static TopologyView of(long requested, String level, Snapshot s) {
      List<NodeView> nodes =
          s.nodes().values().stream()
              .sorted(Comparator.comparing(Node::id))
              .map(NodeView::of)
              .toList();
      List<EdgeView> edges =
          s.edges().values().stream()
              .sorted(Comparator.comparing(Edge::key))
              .map(EdgeView::of)
              .toList();
      return new TopologyView(At.of(requested, s), level, nodes.size(), edges.size(), nodes, edges);
    }
  }

  record EntityView(At at, NodeView entity, List<EdgeView> relations, List<String> metrics) {}

  record MetricsView(String entityId, long from, long to, Map<String, List<Point>> series) {}

  record Changes<T>(List<T> added, List<T> removed) {}

  record DiffView(
      At from,
      At to,
      String level,
      Changes<NodeView> entities,
      List<NodeView> changedEntities,
      Changes<EdgeView> edges) {
    static DiffView of(
        long fromRequested,
        Snapshot a,
        long toRequested,
        Snapshot b,
        String level,
        TopologyDiff d) {
      return new DiffView(
          At.of(fromRequested, a),
          At.of(toRequested, b),
          level,
          new Changes<>(
              d.addedNodes().stream().map(NodeView::of).toList(),
              d.removedNodes().stream().map(NodeView::of).toList()),
          d.changedNodes().stream().map(NodeView::of).toList(),
          new Changes<>(
              d.addedEdges().stream().map(EdgeView::of).toList(),
              d.removedEdges().stream().map(EdgeView::of).toList()));
    }
  }

  record SnapshotsView(int count, List<Long> timestamps) {}

  record Error(int status, String error, String path) {}
}
