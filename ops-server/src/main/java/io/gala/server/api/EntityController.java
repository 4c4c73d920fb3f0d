package io.gala.server.api;

import io.gala.server.api.Views.At;
import io.gala.server.api.Views.EdgeView;
import io.gala.server.api.Views.EntityView;
import io.gala.server.api.Views.MetricsView;
import io.gala.server.api.Views.NodeView;
import io.gala.server.timeseries.TimeSeriesWindow;
import io.gala.server.topology.Edge;
import io.gala.server.topology.Node;
import io.gala.server.topology.Snapshot;
import io.gala.server.topology.SnapshotHistory;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** One entity: what it is and how it relates at a time, and its recent metric values. */
@RestController
@RequestMapping("/api/v1/entities")
class EntityController {
  private static final int MAX_METRICS = 100;

  private final SnapshotHistory history;
  private final TimeSeriesWindow window;

  EntityController(SnapshotHistory history, TimeSeriesWindow window) {
    this.history = history;
    this.window = window;
  }

  @Operation(summary = "An entity at a time, with every relation it has in that snapshot")
  @GetMapping("/{id}")
  EntityView entity(
      @PathVariable String id,
      @Parameter(description = TopologyController.TIME_HELP) @RequestParam(defaultValue = "now")
          String time) {
    checkId(id);
    long t = TimeParam.parse("time", time, System.currentTimeMillis());
    Snapshot s = TopologyController.snapshotAt(history, t, "time");
    Node n = s.node(id);
    if (n == null) {
      throw new NotFoundException(
          "no entity '"
              + TimeParam.abbreviate(id)
              + "' in the snapshot of "
              + Instant.ofEpochMilli(s.timestampMillis())
              + " (ids: GET /api/v1/topology?level=rpc)");
    }
    List<EdgeView> relations =
        s.relationsOf(id).stream()
            .sorted(Comparator.comparing(Edge::key))
            .map(EdgeView::of)
            .toList();
    return new EntityView(At.of(t, s), NodeView.of(n), relations, List.copyOf(window.metrics(id)));
  }

  @Operation(summary = "An entity's metric values over a range, from the in-memory window")
  @GetMapping("/{id}/metrics")
  MetricsView metrics(
      @PathVariable String id,
      @Parameter(description = "comma-separated metric names; all when absent")
          @RequestParam(required = false)
          String metric,
      @Parameter(description = TopologyController.TIME_HELP) @RequestParam(defaultValue = "now-15m")
          String from,
      @Parameter(description = TopologyController.TIME_HELP) @RequestParam(defaultValue = "now")
          String to) {
    checkId(id);
    long now = System.currentTimeMillis();
    long f = TimeParam.parse("from", from, now);
    long t = TimeParam.parse("to", to, now);
    if (f > t) {
      throw new BadRequestException(
          "from (" + Instant.ofEpochMilli(f) + ") is after to (" + Instant.ofEpochMilli(t) + ")");
    }
    Set<String> wanted = new LinkedHashSet<>();
    if (metric != null) {
      Arrays.stream(metric.split(","))
          .map(String::trim)
          .filter(m -> !m.isEmpty())
          .forEach(wanted::add);
      for (String m : wanted) {
        if (!m.matches("[A-Za-z_][A-Za-z0-9_]{0,127}")) {
          throw new BadRequestException(
              "metric='" + TimeParam.abbreviate(m) + "' is not a metric name");
        }
      }
      if (wanted.size() > MAX_METRICS) {
        throw new BadRequestException(wanted.size() + " metrics asked for; at most " + MAX_METRICS);
      }
    }
    Set<String> known = window.metrics(id);
    if (known.isEmpty()) {
      throw new NotFoundException(
          "no recent values for entity '"
              + TimeParam.abbreviate(id)
              + "' (the window keeps "
              + window.retentionMillis() / 1000
              + " s; older values are in Prometheus)");
    }
    if (!known.containsAll(wanted)) {
      Set<String> unknown = new LinkedHashSet<>(wanted);
      unknown.removeAll(known);
      throw new NotFoundException("entity has no metric " + unknown + "; it has " + known);
    }
    return new MetricsView(id, f, t, window.range(id, wanted, f, t));
  }

  private static void checkId(String id) {
    if (id.length() > 254) {
      throw new BadRequestException(
          "entity id of " + id.length() + " characters; gala ids have at most 254");
    }
  }
}
