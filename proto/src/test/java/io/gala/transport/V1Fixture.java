package io.gala.transport;

import io.gala.transport.proto.Batch;
import io.gala.transport.proto.Column;
import io.gala.transport.proto.Event;
import io.gala.transport.proto.Events;
import io.gala.transport.proto.Histogram;
import io.gala.transport.proto.Metadata;
import io.gala.transport.proto.MetricKind;
import io.gala.transport.proto.MetricMeta;
import io.gala.transport.proto.Records;
import io.gala.transport.proto.Row;
import io.gala.transport.proto.Severity;
import io.gala.transport.proto.TableMeta;
import io.gala.transport.proto.TableRows;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The batches frozen as version 1 of the schema. {@link #main} wrote {@code
 * src/test/resources/v1/*.bin} once, with schema version 1; the files are never rewritten, so that
 * every later schema must still read what version-1 agents send. {@link SchemaV1FrozenTest} checks
 * them field by field.
 */
final class V1Fixture {
  static final String MACHINE_ID = "8c5f2c3e-1a2b-4c5d-9e0f-112233445566-192.168.1.10";

  private V1Fixture() {}

  static Batch records() {
    return Batch.newBuilder()
        .setVersion(1)
        .setMachineId(MACHINE_ID)
        .setAgentStartMs(1_700_000_000_000L)
        .setSequence(42)
        .setTimestampMs(1_700_000_005_000L)
        .setHostIp("192.168.1.10")
        .setPart(1)
        .setParts(1)
        .setRecords(
            Records.newBuilder()
                .addTables(
                    TableRows.newBuilder()
                        .setTable("tcp_link")
                        .addAllKeyNames(
                            java.util.List.of(
                                "tgid", "role", "client_ip", "server_ip", "server_port"))
                        .addLabelNames("comm")
                        .addMetrics(
                            Column.newBuilder()
                                .setName("rx_bytes")
                                .setKind(MetricKind.METRIC_KIND_COUNTER))
                        .addMetrics(
                            Column.newBuilder()
                                .setName("srtt")
                                .setKind(MetricKind.METRIC_KIND_HISTOGRAM)
                                .addUpperBounds(0.001)
                                .addUpperBounds(0.01)
                                .addUpperBounds(Double.POSITIVE_INFINITY))
                        .addMetrics(
                            Column.newBuilder()
                                .setName("snd_cwnd")
                                .setKind(MetricKind.METRIC_KIND_GAUGE))
                        .addRows(
                            Row.newBuilder()
                                .addAllKeys(
                                    java.util.List.of(
                                        "1234", "client", "10.0.0.1", "10.0.0.2", "6379"))
                                .addLabels("redis-benchmark")
                                .addValues(123456)
                                .addValues(10)
                                .addHistograms(
                                    Histogram.newBuilder()
                                        .addCounts(5)
                                        .addCounts(2)
                                        .addCounts(0)
                                        .setSum(0.0123)
                                        .setCount(7)))
                        .addRows(
                            Row.newBuilder()
                                .addAllKeys(
                                    java.util.List.of(
                                        "1234", "client", "10.0.0.1", "10.0.0.3", "5432"))
                                .addLabels("psql")
                                .addValues(7)
                                .addValues(Double.NaN)
                                .addHistograms(
                                    Histogram.newBuilder()
                                        .addUpperBounds(1)
                                        .addUpperBounds(Double.POSITIVE_INFINITY)
                                        .addCounts(1)
                                        .addCounts(1)
                                        .setSum(1.5)
                                        .setCount(2)))))
        .build();
  }

  static Batch metadata() {
    return Batch.newBuilder()
        .setVersion(1)
        .setMachineId(MACHINE_ID)
        .setAgentStartMs(1_700_000_000_000L)
        .setSequence(1)
        .setTimestampMs(1_700_000_005_000L)
        .setPart(1)
        .setParts(1)
        .setMetadata(
            Metadata.newBuilder()
                .addTables(
                    TableMeta.newBuilder()
                        .setTable("tcp_link")
                        .setEntity("tcp_link")
                        .addKeys("tgid")
                        .addLabels("comm")
                        .addMetrics(
                            MetricMeta.newBuilder()
                                .setName("rx_bytes")
                                .setKind(MetricKind.METRIC_KIND_COUNTER)
                                .setUnit("bytes")
                                .setHelp("Bytes received"))))
        .build();
  }

  static Batch events() {
    return Batch.newBuilder()
        .setVersion(1)
        .setMachineId(MACHINE_ID)
        .setAgentStartMs(1_700_000_000_000L)
        .setSequence(3)
        .setTimestampMs(1_700_000_010_000L)
        .setPart(1)
        .setParts(1)
        .setEvents(
            Events.newBuilder()
                .addEvents(
                    Event.newBuilder()
                        .setTimestampMs(1_700_000_010_000L)
                        .setEventId("1700000010000_" + MACHINE_ID + "_endpoint_tcp_99_server")
                        .setEntityId(MACHINE_ID + "_endpoint_tcp_99_server")
                        .setTable("endpoint_tcp")
                        .setEntity("endpoint_tcp")
                        .setMetric("listendrop")
                        .setSeverity(Severity.SEVERITY_WARN)
                        .setDescription("TCP listen drops(12).")
                        .putKeys("tgid", "99")
                        .putLabels("PID", "99")
                        .setValue(12)
                        .setThreshold(0)))
        .build();
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args.length > 0 ? args[0] : "proto/src/test/resources/v1");
    Files.createDirectories(dir);
    Files.write(dir.resolve("records.bin"), BatchCodec.encode(records()));
    Files.write(dir.resolve("metadata.bin"), BatchCodec.encode(metadata()));
    Files.write(dir.resolve("events.bin"), BatchCodec.encode(events()));
  }
}
