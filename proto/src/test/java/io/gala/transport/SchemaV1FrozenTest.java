package io.gala.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.gala.transport.proto.Batch;
import io.gala.transport.proto.Event;
import io.gala.transport.proto.MetricKind;
import io.gala.transport.proto.Severity;
import io.gala.transport.proto.TableRows;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/**
 * Version 1 of the wire format is frozen: these bytes were written by version 1 and are never
 * regenerated. A schema change that cannot read them (renumbered, retyped or removed fields) fails
 * here.
 */
class SchemaV1FrozenTest {
  private static byte[] fixture(String name) throws IOException {
    try (InputStream in = SchemaV1FrozenTest.class.getResourceAsStream("/v1/" + name)) {
      assertThat(in).as("fixture /v1/" + name).isNotNull();
      return in.readAllBytes();
    }
  }

  @Test
  void readsVersion1RecordsField_by_field() throws Exception {
    Batch b = BatchCodec.decode(fixture("records.bin"));
    assertThat(b.getVersion()).isEqualTo(1);
    assertThat(b.getMachineId()).isEqualTo(V1Fixture.MACHINE_ID);
    assertThat(b.getAgentStartMs()).isEqualTo(1_700_000_000_000L);
    assertThat(b.getSequence()).isEqualTo(42);
    assertThat(b.getTimestampMs()).isEqualTo(1_700_000_005_000L);
    assertThat(b.getHostIp()).isEqualTo("192.168.1.10");
    assertThat(b.getPart()).isEqualTo(1);
    assertThat(b.getParts()).isEqualTo(1);
    assertThat(b.getBodyCase()).isEqualTo(Batch.BodyCase.RECORDS);
    TableRows t = b.getRecords().getTables(0);
    assertThat(t.getTable()).isEqualTo("tcp_link");
    assertThat(t.getEntity()).isEmpty();
    assertThat(t.getKeyNamesList())
        .containsExactly("tgid", "role", "client_ip", "server_ip", "server_port");
    assertThat(t.getLabelNamesList()).containsExactly("comm");
    assertThat(t.getMetricsList())
        .extracting(c -> c.getName() + ":" + c.getKind())
        .containsExactly(
            "rx_bytes:METRIC_KIND_COUNTER",
            "srtt:METRIC_KIND_HISTOGRAM",
            "snd_cwnd:METRIC_KIND_GAUGE");
    assertThat(t.getMetrics(1).getUpperBoundsList())
        .containsExactly(0.001, 0.01, Double.POSITIVE_INFINITY);
    assertThat(t.getRowsCount()).isEqualTo(2);
    assertThat(t.getRows(0).getKeysList())
        .containsExactly("1234", "client", "10.0.0.1", "10.0.0.2", "6379");
    assertThat(t.getRows(0).getLabelsList()).containsExactly("redis-benchmark");
    assertThat(t.getRows(0).getValuesList()).containsExactly(123456.0, 10.0);
    assertThat(t.getRows(0).getHistograms(0).getUpperBoundsList()).isEmpty();
    assertThat(t.getRows(0).getHistograms(0).getCountsList()).containsExactly(5L, 2L, 0L);
    assertThat(t.getRows(0).getHistograms(0).getSum()).isEqualTo(0.0123);
    assertThat(t.getRows(0).getHistograms(0).getCount()).isEqualTo(7);
    assertThat(t.getRows(1).getValues(1)).isNaN();
    assertThat(t.getRows(1).getHistograms(0).getUpperBoundsList())
        .containsExactly(1.0, Double.POSITIVE_INFINITY);
    assertThat(b.getRecords()).isEqualTo(V1Fixture.records().getRecords());
  }

  @Test
  void readsVersion1MetadataAndEvents() throws Exception {
    Batch m = BatchCodec.decode(fixture("metadata.bin"));
    assertThat(m.getBodyCase()).isEqualTo(Batch.BodyCase.METADATA);
    assertThat(m.getMetadata().getTables(0).getMetrics(0).getKind())
        .isEqualTo(MetricKind.METRIC_KIND_COUNTER);
    assertThat(m.getMetadata().getTables(0).getMetrics(0).getUnit()).isEqualTo("bytes");
    assertThat(m.getMetadata().getTables(0).getMetrics(0).getHelp()).isEqualTo("Bytes received");

    Batch e = BatchCodec.decode(fixture("events.bin"));
    assertThat(e.getSequence()).isEqualTo(3);
    Event ev = e.getEvents().getEvents(0);
    assertThat(ev.getSeverity()).isEqualTo(Severity.SEVERITY_WARN);
    assertThat(ev.getSeverityValue()).isEqualTo(13);
    assertThat(ev.getMetric()).isEqualTo("listendrop");
    assertThat(ev.getKeysMap()).containsEntry("tgid", "99");
    assertThat(ev.getLabelsMap()).containsEntry("PID", "99");
    assertThat(ev.getValue()).isEqualTo(12.0);
    assertThat(ev).isEqualTo(V1Fixture.events().getEvents().getEvents(0));
  }
}
