package io.gala.server.api;

import io.gala.server.api.Views.DiffView;
import io.gala.server.api.Views.SnapshotsView;
import io.gala.server.api.Views.TopologyView;
import io.gala.server.topology.Level;
import io.gala.server.topology.Snapshot;
import io.gala.server.topology.SnapshotHistory;
import io.gala.server.topology.TopologyDiff;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import java.time.Instant;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Topology at a time and level, the difference between two times, and which snapshots exist. */
@RestController
@RequestMapping("/api/v1")
class TopologyController {
  static final String TIME_HELP =
      "epoch milliseconds, ISO-8601 (2026-11-25T07:00:00Z), now, or now-15m";

  private final SnapshotHistory history;

  TopologyController(SnapshotHistory history) {
    this.history = history;
  }

  @Operation(
      summary = "The topology in force at a time (the newest snapshot at or before it), at a level")
  @GetMapping("/topology")
  TopologyView topology(
      @Parameter(description = "host | process | rpc") @RequestParam(defaultValue = "process")
          String level,
      @Parameter(description = TIME_HELP) @RequestParam(defaultValue = "now") String time) {
    Level l = level(level);
    long t = TimeParam.parse("time", time, System.currentTimeMillis());
    return TopologyView.of(t, l.label(), snapshotAt(history, t, "time").view(l));
  }

  @Operation(summary = "Entities and edges that appeared or went between two times, at a level")
  @GetMapping("/topology/diff")
  DiffView diff(
      @Parameter(description = TIME_HELP) @RequestParam String from,
      @Parameter(description = TIME_HELP) @RequestParam(defaultValue = "now") String to,
      @Parameter(description = "host | process | rpc") @RequestParam(defaultValue = "process")
          String level) {
    Level l = level(level);
    long now = System.currentTimeMillis();
    long f = TimeParam.parse("from", from, now);
    long t = TimeParam.parse("to", to, now);
    if (f > t) {
      throw new BadRequestException(
          "from (" + Instant.ofEpochMilli(f) + ") is after to (" + Instant.ofEpochMilli(t) + ")");
    }
    Snapshot a = snapshotAt(history, f, "from").view(l);
    Snapshot b = snapshotAt(history, t, "to").view(l);
    return DiffView.of(f, a, t, b, l.label(), TopologyDiff.between(a, b));
  }

  @Operation(summary = "Times of the snapshots kept, oldest first")
  @GetMapping("/topology/snapshots")
  SnapshotsView snapshots() {
    List<Long> ts = history.timestamps();
    return new SnapshotsView(ts.size(), ts);
  }

  static Level level(String s) {
    Level l = Level.parse(s);
    if (l == null) {
      throw new BadRequestException(
          "level='" + TimeParam.abbreviate(s) + "' is not a level: use host, process or rpc");
    }
    return l;
  }

  static Snapshot snapshotAt(SnapshotHistory history, long t, String param) {
    return history
        .at(t)
        .orElseThrow(
            () ->
                new NotFoundException(
                    history.timestamps().isEmpty()
                        ? "no topology snapshot yet: the first is taken one snapshot period after the server starts"
                        : param
                            + "="
                            + Instant.ofEpochMilli(t)
                            + " is before the oldest snapshot kept ("
                            + Instant.ofEpochMilli(history.timestamps().get(0))
                            + ")"));
  }
}
