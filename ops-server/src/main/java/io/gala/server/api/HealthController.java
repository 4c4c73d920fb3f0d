package io.gala.server.api;

import io.gala.server.ingest.AgentStatus;
import io.gala.server.ingest.IngestStats;
import io.gala.server.ingest.Ingestor;
import io.gala.server.timeseries.TimeSeriesWindow;
import io.gala.server.topology.Snapshot;
import io.gala.server.topology.SnapshotHistory;
import io.gala.server.topology.SnapshotTaker;
import io.gala.server.topology.TopologyBuilder;
import io.gala.server.topology.TopologyProperties;
import io.swagger.v3.oas.annotations.Operation;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * What the server is doing: ingest figures, the agents it hears, the snapshot history, the window.
 */
@RestController
@RequestMapping("/api/v1")
class HealthController {
  private final Ingestor ingestor;
  private final TimeSeriesWindow window;
  private final TopologyBuilder builder;
  private final SnapshotHistory history;
  private final SnapshotTaker taker;
  private final TopologyProperties topology;
  private final ApiErrors errors;

  HealthController(
      Ingestor ingestor,
      TimeSeriesWindow window,
      TopologyBuilder builder,
      SnapshotHistory history,
      SnapshotTaker taker,
      TopologyProperties topology,
      ApiErrors errors) {
    this.ingestor = ingestor;
    this.window = window;
    this.builder = builder;
    this.history = history;
    this.taker = taker;
    this.topology = topology;
    this.errors = errors;
  }

  record Agent(
      String machineId, long lastReceived, long lastSample, long records, boolean silent) {}

  record Ingest(
      long batches,
      long records,
      long gaps,
      long duplicates,
      long errors,
      Map<String, Long> rejected,
      double lagSeconds,
      List<Agent> agents) {}

  record Topology(
      int liveAgents,
      int trackedEntities,
      int snapshots,
      Long oldest,
      Long newest,
      int nodes,
      int edges,
      double lastBuildSeconds,
      long failures,
      long corruptRecords,
      long bytesOnDisk) {}

  record TimeSeries(int series, int entities, long refusedSeries) {}

  record Health(
      String status,
      long time,
      Ingest ingest,
      Topology topology,
      TimeSeries timeseries,
      long badRequests) {}

  @Operation(summary = "Server health: UP, or DEGRADED with what is wrong visible in the figures")
  @GetMapping("/health")
  Health health() {
    long now = System.currentTimeMillis();
    IngestStats s = ingestor.stats();
    List<Agent> agents = ingestor.agents().stream().map(a -> agent(a, now)).toList();
    List<Long> ts = history.timestamps();
    Snapshot latest = history.latest().orElse(null);
    Topology t =
        new Topology(
            builder.liveAgents(),
            builder.trackedEntities(),
            ts.size(),
            ts.isEmpty() ? null : ts.get(0),
            ts.isEmpty() ? null : ts.get(ts.size() - 1),
            latest == null ? 0 : latest.nodes().size(),
            latest == null ? 0 : latest.edges().size(),
            taker.lastBuildNanos() / 1e9,
            taker.failures(),
            history.corruptRecords(),
            history.bytesOnDisk());
    boolean stale =
        latest != null && now - latest.timestampMillis() > 3 * topology.snapshotPeriod().toMillis();
    String status = taker.failures() > 0 || stale ? "DEGRADED" : "UP";
    return new Health(
        status,
        now,
        new Ingest(
            s.batches(),
            s.records(),
            s.gaps(),
            s.duplicates(),
            s.errors(),
            s.rejected(),
            s.lastLagMillis() / 1000.0,
            agents),
        t,
        new TimeSeries(window.seriesCount(), window.entityCount(), window.refusedSeries()),
        errors.badRequests());
  }

  private Agent agent(AgentStatus a, long now) {
    return new Agent(
        a.machineId(),
        a.lastReceivedMillis(),
        a.lastRecordMillis(),
        a.records(),
        now - a.lastReceivedMillis() > topology.agentTimeout().toMillis());
  }
}
