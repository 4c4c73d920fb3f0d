package io.gala.server.export;

import io.gala.server.ingest.IngestStats;
import io.gala.server.ingest.Ingestor;
import io.gala.server.ingest.KafkaIngest;
import io.gala.server.timeseries.TimeSeriesWindow;
import io.gala.server.topology.SnapshotHistory;
import io.gala.server.topology.SnapshotTaker;
import io.gala.server.topology.TopologyBuilder;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * The server's own health as metrics, all named {@code gala_server_*}: ingest volume, loss (gaps),
 * replays (duplicates), rejections by reason and lag; the time-series window's size; the topology's
 * agents and history. Read at scrape time from the components' counters.
 */
@Component
class ServerMetrics implements MeterBinder {
  private final Ingestor ingestor;
  private final TimeSeriesWindow window;
  private final TopologyBuilder builder;
  private final SnapshotHistory history;
  private final SnapshotTaker taker;
  private final ObjectProvider<KafkaIngest> kafka;

  ServerMetrics(
      Ingestor ingestor,
      TimeSeriesWindow window,
      TopologyBuilder builder,
      SnapshotHistory history,
      SnapshotTaker taker,
      ObjectProvider<KafkaIngest> kafka) {
    this.ingestor = ingestor;
    this.window = window;
    this.builder = builder;
    this.history = history;
    this.taker = taker;
    this.kafka = kafka;
  }

  @Override
  public void bindTo(MeterRegistry r) {
    IngestStats s = ingestor.stats();
    counter(
        r,
        "gala.server.ingest.batches",
        "Batches accepted from agents (duplicates excluded)",
        s,
        IngestStats::batches);
    counter(
        r, "gala.server.ingest.records", "Records accepted and stored", s, IngestStats::records);
    counter(
        r,
        "gala.server.ingest.gaps",
        "Batches missing from an agent's sequence (lost before the server)",
        s,
        IngestStats::gaps);
    counter(
        r,
        "gala.server.ingest.duplicates",
        "Batches received again and dropped (redelivery, replay)",
        s,
        IngestStats::duplicates);
    counter(
        r,
        "gala.server.ingest.errors",
        "Valid batches a component failed to process",
        s,
        IngestStats::errors);
    for (String reason : IngestStats.REJECT_REASONS) {
      FunctionCounter.builder(
              "gala.server.ingest.rejected", s, x -> x.rejected().getOrDefault(reason, 0L))
          .description("Records (or undecodable messages) rejected, by reason")
          .tag("reason", reason)
          .register(r);
    }
    kafka.ifAvailable(
        k ->
            FunctionCounter.builder("gala.server.ingest.corrupt", k, KafkaIngest::corrupt)
                .description(
                    "Kafka record values that are not a valid gala batch (garbage, truncated), skipped")
                .register(r));
    Gauge.builder("gala.server.ingest.lag", s, x -> x.lastLagMillis() / 1000.0)
        .baseUnit("seconds")
        .description("Server time minus the sample time of the newest record of the last batch")
        .register(r);
    Gauge.builder("gala.server.ingest.agents", ingestor, i -> i.agents().size())
        .description("Agents heard from since the server started")
        .register(r);

    Gauge.builder("gala.server.timeseries.series", window, TimeSeriesWindow::seriesCount)
        .description("Series held in the in-memory window")
        .register(r);
    Gauge.builder("gala.server.timeseries.entities", window, TimeSeriesWindow::entityCount)
        .description("Entities with series in the window")
        .register(r);
    FunctionCounter.builder(
            "gala.server.timeseries.refused.series", window, TimeSeriesWindow::refusedSeries)
        .description("New series refused because gala.timeseries.max-series was reached")
        .register(r);
    FunctionCounter.builder(
            "gala.server.timeseries.out.of.order.points",
            window,
            TimeSeriesWindow::outOfOrderPoints)
        .description("Points older than their series' newest step, dropped")
        .register(r);

    Gauge.builder("gala.server.topology.agents", builder, TopologyBuilder::liveAgents)
        .description("Agents alive in the topology (heard from within gala.topology.agent-timeout)")
        .register(r);
    Gauge.builder(
            "gala.server.topology.tracked.entities", builder, TopologyBuilder::trackedEntities)
        .description("Entities the topology tracks, present or not yet aged out")
        .register(r);
    Gauge.builder("gala.server.topology.snapshots", history, SnapshotHistory::size)
        .description("Snapshots kept in the history")
        .register(r);
    Gauge.builder("gala.server.topology.history.size", history, SnapshotHistory::bytesOnDisk)
        .baseUnit("bytes")
        .description("Size of the persisted snapshot files")
        .register(r);
    FunctionCounter.builder(
            "gala.server.topology.corrupt.records", history, SnapshotHistory::corruptRecords)
        .description(
            "Snapshot records cut off or files set aside as corrupt when the history was loaded")
        .register(r);
    FunctionCounter.builder(
            "gala.server.topology.snapshot.failures", taker, SnapshotTaker::failures)
        .description("Snapshots that failed to build or persist")
        .register(r);
  }

  private static void counter(
      MeterRegistry r,
      String name,
      String help,
      IngestStats s,
      java.util.function.ToDoubleFunction<IngestStats> f) {
    FunctionCounter.builder(name, s, f).description(help).register(r);
  }
}
