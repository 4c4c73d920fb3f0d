package io.gala.server.export;

import io.gala.server.topology.Edge;
import io.gala.server.topology.Node;
import io.gala.server.topology.Relation;
import io.gala.server.topology.Snapshot;
import io.gala.server.topology.SnapshotListener;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;

/**
 * The latest snapshot as series for Grafana's node graph: {@code gala_topology_node{id, type,
 * title, machine_id}} valued by the node's number of connect edges, and {@code
 * gala_topology_edge{id, source, target, type, detail}} valued 1, at the configured level and
 * bounded in number. Also the snapshot build time and the latest snapshot's size.
 */
@Component
class TopologyMetrics implements SnapshotListener {
  private final ExportProperties props;
  private final MultiGauge nodes;
  private final MultiGauge edges;
  private final Timer buildTime;
  private volatile int nodeCount;
  private volatile int edgeCount;

  TopologyMetrics(MeterRegistry registry, ExportProperties props) {
    this.props = props;
    this.nodes =
        MultiGauge.builder("gala.topology.node")
            .description("Topology node of the latest snapshot; value: its connect edges")
            .register(registry);
    this.edges =
        MultiGauge.builder("gala.topology.edge")
            .description("Topology edge of the latest snapshot; value 1")
            .register(registry);
    this.buildTime =
        Timer.builder("gala.server.topology.snapshot")
            .description("Time to build one topology snapshot")
            .register(registry);
    Gauge.builder("gala.server.topology.nodes", this, t -> t.nodeCount)
        .description("Nodes in the latest snapshot (all levels)")
        .register(registry);
    Gauge.builder("gala.server.topology.edges", this, t -> t.edgeCount)
        .description("Edges in the latest snapshot (all levels)")
        .register(registry);
  }

  @Override
  public void taken(Snapshot snapshot, long buildNanos) {
    buildTime.record(buildNanos, TimeUnit.NANOSECONDS);
    nodeCount = snapshot.nodes().size();
    edgeCount = snapshot.edges().size();
    Snapshot view = snapshot.view(props.topologyLevel());
    Map<String, Integer> degree = new HashMap<>();
    for (Edge e : view.edges().values()) {
      if (e.type() == Relation.CONNECT) {
        degree.merge(e.from(), 1, Integer::sum);
        degree.merge(e.to(), 1, Integer::sum);
      }
    }
    // Keep the best connected nodes when there are too many.
    List<Node> shown = new ArrayList<>(view.nodes().values());
    shown.sort(
        Comparator.comparing((Node n) -> -degree.getOrDefault(n.id(), 0)).thenComparing(Node::id));
    if (shown.size() > props.maxNodes()) {
      shown = shown.subList(0, props.maxNodes());
    }
    Set<String> ids = new HashSet<>();
    List<MultiGauge.Row<?>> nodeRows = new ArrayList<>(shown.size());
    for (Node n : shown) {
      ids.add(n.id());
      nodeRows.add(
          MultiGauge.Row.of(
              Tags.of(
                  "id",
                  n.id(),
                  "type",
                  n.type().label(),
                  "title",
                  title(n),
                  "machine_id",
                  n.machineId()),
              degree.getOrDefault(n.id(), 0)));
    }
    List<MultiGauge.Row<?>> edgeRows = new ArrayList<>();
    for (Edge e : view.edges().values()) {
      if (ids.contains(e.from()) && ids.contains(e.to())) {
        edgeRows.add(
            MultiGauge.Row.of(
                Tags.of(
                    "id",
                    e.key(),
                    "source",
                    e.from(),
                    "target",
                    e.to(),
                    "type",
                    e.type().label(),
                    "detail",
                    e.detail()),
                1));
      }
    }
    nodes.register(nodeRows, true);
    edges.register(edgeRows, true);
  }

  /**
   * What a person reads on the graph: comm for processes and instances, the host's name or ip, else
   * the id.
   */
  static String title(Node n) {
    return switch (n.type()) {
      case HOST -> first(n, "hostname", "host_ip", "machine_id");
      case PROC -> first(n, "comm") + "(" + n.attribute("tgid") + ")";
      case APPINSTANCE ->
          first(n, "comm")
              + (n.attribute("server_ports").isEmpty() ? "" : ":" + n.attribute("server_ports"));
      case CONTAINER -> first(n, "container_name", "container_id");
      case DISK -> first(n, "disk_name");
      case BLOCK -> first(n, "blk_name");
      case NIC -> first(n, "dev_name");
      default -> n.id();
    };
  }

  private static String first(Node n, String... fields) {
    for (String f : fields) {
      if (!n.attribute(f).isEmpty()) {
        return n.attribute(f);
      }
    }
    return n.id();
  }
}
