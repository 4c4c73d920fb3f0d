package io.gala.agent.kafka;

import io.gala.agent.event.SubHealthEvent;
import io.gala.agent.export.Sample;
import io.gala.agent.table.Histogram;
import io.gala.agent.table.MetricDef;
import io.gala.agent.table.MetricKind;
import io.gala.agent.table.Row;
import io.gala.agent.table.TableDef;
import io.gala.transport.BatchCodec;
import io.gala.transport.proto.Batch;
import io.gala.transport.proto.Column;
import io.gala.transport.proto.Event;
import io.gala.transport.proto.Events;
import io.gala.transport.proto.Metadata;
import io.gala.transport.proto.MetricMeta;
import io.gala.transport.proto.Records;
import io.gala.transport.proto.Severity;
import io.gala.transport.proto.TableMeta;
import io.gala.transport.proto.TableRows;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns samples, table definitions and sub-health events into protobuf {@link Batch}es
 * (proto/batch.proto) without their header: rows grouped by table with positional values, a sample
 * larger than {@code maxBatchBytes} split over several batches. Stateless; the exporter adds header
 * and sequence.
 */
final class BatchEncoder {
  /**
   * Bytes a batch header and a table block header may take beyond their rows, for the size
   * estimate.
   */
  private static final int HEADER_ALLOWANCE = 256;

  private final int maxBatchBytes;

  BatchEncoder(int maxBatchBytes) {
    this.maxBatchBytes = maxBatchBytes;
  }

  /**
   * The records of one sample as one or more batch bodies, each under maxBatchBytes when rows
   * allow.
   */
  List<Records> records(Sample sample) {
    Map<TableDef, List<Row>> byTable = new LinkedHashMap<>();
    for (Row r : sample.rows()) {
      byTable.computeIfAbsent(r.table(), t -> new ArrayList<>()).add(r);
    }
    List<Records> out = new ArrayList<>();
    Records.Builder batch = Records.newBuilder();
    int batchBytes = HEADER_ALLOWANCE;
    for (Map.Entry<TableDef, List<Row>> e : byTable.entrySet()) {
      TableDef table = e.getKey();
      TableRows.Builder block = tableHeader(table, e.getValue());
      int headerBytes = block.build().getSerializedSize() + 8;
      int blockBytes = headerBytes;
      for (Row row : e.getValue()) {
        io.gala.transport.proto.Row pr = row(table, row, block);
        int rowBytes = pr.getSerializedSize() + 4;
        if (batchBytes + blockBytes + rowBytes > maxBatchBytes
            && (block.getRowsCount() > 0 || batch.getTablesCount() > 0)) {
          if (block.getRowsCount() > 0) {
            batch.addTables(block.build());
          }
          out.add(batch.build());
          batch = Records.newBuilder();
          batchBytes = HEADER_ALLOWANCE;
          block.clearRows();
          blockBytes = headerBytes;
        }
        block.addRows(pr);
        blockBytes += rowBytes;
      }
      if (block.getRowsCount() > 0) {
        batch.addTables(block.build());
        batchBytes += blockBytes;
      }
    }
    if (batch.getTablesCount() > 0 || out.isEmpty()) {
      out.add(batch.build());
    }
    return out;
  }

  /**
   * Column names of a table; histogram columns carry the bounds of their first histogram in rows.
   */
  static TableRows.Builder tableHeader(TableDef table, List<Row> rows) {
    TableRows.Builder b =
        TableRows.newBuilder()
            .setTable(table.name())
            .addAllKeyNames(table.keys())
            .addAllLabelNames(table.labels());
    if (!table.entity().equals(table.name())) {
      b.setEntity(table.entity());
    }
    List<MetricDef> metrics = table.metrics();
    for (int i = 0; i < metrics.size(); i++) {
      MetricDef m = metrics.get(i);
      Column.Builder c = Column.newBuilder().setName(m.name()).setKind(kind(m.kind()));
      if (m.kind() == MetricKind.HISTOGRAM) {
        for (Row r : rows) {
          Histogram h = r.histogram(i);
          if (h != null) {
            for (double ub : h.upperBounds()) {
              c.addUpperBounds(ub);
            }
            break;
          }
        }
      }
      b.addMetrics(c);
    }
    return b;
  }

  private static io.gala.transport.proto.Row row(
      TableDef table, Row row, TableRows.Builder header) {
    io.gala.transport.proto.Row.Builder b =
        io.gala.transport.proto.Row.newBuilder()
            .addAllKeys(row.keyValues())
            .addAllLabels(row.labelValues());
    List<MetricDef> metrics = table.metrics();
    for (int i = 0; i < metrics.size(); i++) {
      if (metrics.get(i).kind() != MetricKind.HISTOGRAM) {
        b.addValues(row.value(i));
        continue;
      }
      Histogram h = row.histogram(i);
      io.gala.transport.proto.Histogram.Builder hb = io.gala.transport.proto.Histogram.newBuilder();
      if (h != null) {
        if (!sameBounds(h.upperBounds(), header.getMetrics(i).getUpperBoundsList())) {
          for (double ub : h.upperBounds()) {
            hb.addUpperBounds(ub);
          }
        }
        for (long c : h.counts()) {
          hb.addCounts(c);
        }
        hb.setSum(h.sum()).setCount(h.count());
      }
      b.addHistograms(hb);
    }
    return b.build();
  }

  private static boolean sameBounds(double[] bounds, List<Double> column) {
    if (bounds.length != column.size()) {
      return false;
    }
    for (int i = 0; i < bounds.length; i++) {
      if (Double.compare(bounds[i], column.get(i)) != 0) {
        return false;
      }
    }
    return true;
  }

  static io.gala.transport.proto.MetricKind kind(MetricKind k) {
    return switch (k) {
      case GAUGE -> io.gala.transport.proto.MetricKind.METRIC_KIND_GAUGE;
      case COUNTER -> io.gala.transport.proto.MetricKind.METRIC_KIND_COUNTER;
      case HISTOGRAM -> io.gala.transport.proto.MetricKind.METRIC_KIND_HISTOGRAM;
    };
  }

  /** Full definitions (units, help) of the given tables. */
  static Metadata metadata(Collection<TableDef> tables) {
    Metadata.Builder b = Metadata.newBuilder();
    for (TableDef t : tables) {
      TableMeta.Builder tm =
          TableMeta.newBuilder()
              .setTable(t.name())
              .setEntity(t.entity())
              .addAllKeys(t.keys())
              .addAllLabels(t.labels());
      for (MetricDef m : t.metrics()) {
        tm.addMetrics(
            MetricMeta.newBuilder()
                .setName(m.name())
                .setKind(kind(m.kind()))
                .setUnit(m.unit())
                .setHelp(m.help()));
      }
      b.addTables(tm);
    }
    return b.build();
  }

  static Events events(List<SubHealthEvent> events) {
    Events.Builder b = Events.newBuilder();
    for (SubHealthEvent e : events) {
      b.addEvents(
          Event.newBuilder()
              .setTimestampMs(e.timestampMillis())
              .setEventId(e.eventId())
              .setEntityId(e.entityId())
              .setTable(e.table())
              .setEntity(e.entity())
              .setMetric(e.metric())
              .setSeverity(Severity.forNumber(e.severity().number()))
              .setDescription(e.description())
              .putAllKeys(e.keys())
              .putAllLabels(e.labels())
              .setValue(e.value())
              .setThreshold(e.threshold()));
    }
    return b.build();
  }

  /** A complete batch header around a body. */
  static Batch.Builder header(
      String machineId, String hostIp, long agentStartMs, long timestampMs) {
    return Batch.newBuilder()
        .setVersion(BatchCodec.VERSION)
        .setMachineId(machineId)
        .setHostIp(hostIp)
        .setAgentStartMs(agentStartMs)
        .setTimestampMs(timestampMs);
  }
}
