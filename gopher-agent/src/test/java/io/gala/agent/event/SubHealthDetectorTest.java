package io.gala.agent.event;

import static org.assertj.core.api.Assertions.assertThat;

import io.gala.agent.export.Sample;
import io.gala.agent.probe.Identity;
import io.gala.agent.table.Row;
import io.gala.agent.table.TableDef;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SubHealthDetectorTest {
  static final Identity ID = new Identity("m-1-10.0.0.9", "10.0.0.9");
  static final TableDef ENDPOINT =
      TableDef.builder("endpoint_tcp")
          .keys(
              "tgid",
              "comm",
              "role",
              "client_ip",
              "toa_client_ip",
              "server_ip",
              "server_port",
              "protocol")
          .counter("listendrop", "", "Listen drops")
          .counter("accept_overflow", "", "Accept queue overflows")
          .build();
  static final TableDef TCP =
      TableDef.builder("tcp_link")
          .keys("tgid", "role", "client_ip", "server_ip", "server_port")
          .counter("retran_packets", "", "Retransmits")
          .gauge("syn_srtt_max", "us", "Max SYN RTT")
          .build();
  static final TableDef NIC =
      TableDef.builder("nic").keys("dev_name").counter("rx_dropped", "", "Drops").build();

  static Row endpoint(double listendrop, double overflow) {
    return ENDPOINT
        .row()
        .key("tgid", 99)
        .key("comm", "redis-server")
        .key("role", "server")
        .key("client_ip", "")
        .key("toa_client_ip", "")
        .key("server_ip", "10.0.0.9")
        .key("server_port", 6379)
        .key("protocol", 2)
        .set("listendrop", listendrop)
        .set("accept_overflow", overflow)
        .build();
  }

  static Sample at(long ts, Row... rows) {
    return new Sample(ts, ID, 0, List.of(rows));
  }

  static final Map<String, Object> ON = Map.of("report_event", 1);

  @Test
  void reportsAListenDropIncreaseOnceWithinTheSilencePeriod() {
    List<SubHealthEvent> out = new ArrayList<>();
    SubHealthDetector d =
        new SubHealthDetector(ProbeParams.fixed(Map.of("socket", ON)), out::addAll);
    d.onSample(at(0, endpoint(1000, 1000))); // first sight of the table: a baseline only
    d.onSample(at(5_000, endpoint(1000, 1000))); // no increase
    assertThat(out).isEmpty();
    d.onSample(at(10_000, endpoint(1012, 1012)));
    assertThat(out).hasSize(1);
    SubHealthEvent e = out.get(0);
    assertThat(e.metric()).isEqualTo("listendrop");
    assertThat(e.metricId()).isEqualTo("gala_gopher_endpoint_tcp_listendrop");
    assertThat(e.entityId())
        .isEqualTo("m-1-10.0.0.9_endpoint_tcp_99_redis-server_server___10.0.0.9_6379_2");
    assertThat(e.description()).isEqualTo("TCP listen drops(12).");
    assertThat(e.value()).isEqualTo(12);
    assertThat(e.severity()).isEqualTo(Severity.WARN);
    assertThat(e.labels())
        .containsEntry("PID", "99")
        .containsEntry("COMM", "redis-server")
        .containsEntry("IP", "Client , Server 10.0.0.9:6379");
    assertThat(e.body(ZoneOffset.UTC))
        .isEqualTo(
            "Thu Jan  1 00:00:10 1970 WARN Entity(" + e.entityId() + ") TCP listen drops(12).");
    // The same entity (any metric) stays silent for 600 s, then may report again.
    d.onSample(at(20_000, endpoint(1100, 1100)));
    d.onSample(at(609_000, endpoint(1200, 1200)));
    assertThat(out).hasSize(1);
    assertThat(d.suppressed()).as("accept_overflow at 10 s, both at 20 s and 609 s").isEqualTo(5);
    d.onSample(at(610_000, endpoint(1300, 1300)));
    assertThat(out).hasSize(2);
  }

  @Test
  void staysQuietWithoutReportEvent() {
    List<SubHealthEvent> out = new ArrayList<>();
    SubHealthDetector d = new SubHealthDetector(ProbeParams.fixed(Map.of()), out::addAll);
    d.onSample(at(0, endpoint(0, 0)));
    d.onSample(at(5_000, endpoint(50, 50)));
    assertThat(out).isEmpty();
  }

  @Test
  void countsANewEntityFromZeroOnceItsTableIsKnown() {
    List<SubHealthEvent> out = new ArrayList<>();
    SubHealthDetector d =
        new SubHealthDetector(
            ProbeParams.fixed(Map.of("baseinfo", Map.of("report_event", 1, "drops_thr", 10))),
            out::addAll);
    d.onSample(at(0, NIC.row().key("dev_name", "eth0").set("rx_dropped", 500_000).build()));
    d.onSample(
        at(
            5_000,
            NIC.row().key("dev_name", "eth0").set("rx_dropped", 500_005).build(),
            NIC.row().key("dev_name", "veth1").set("rx_dropped", 11).build()));
    // eth0's since-boot count is a baseline and its increase of 5 is under drops_thr; veth1 is new:
    // 11 > 10.
    assertThat(out).extracting(SubHealthEvent::entityId).containsExactly("m-1-10.0.0.9_nic_veth1");
    assertThat(out.get(0).labels()).containsEntry("Device", "veth1");
    assertThat(out.get(0).description()).isEqualTo("net device rx queue drops(11).");
  }

  @Test
  void tcpDropsNeedDropsThrAndLatencyIsComparedInMilliseconds() {
    List<SubHealthEvent> out = new ArrayList<>();
    Map<String, Object> params = new java.util.HashMap<>(ON);
    SubHealthDetector d =
        new SubHealthDetector(probe -> probe.equals("tcp") ? params : Map.of(), out::addAll);
    Row r1 =
        TCP.row()
            .key("tgid", 1)
            .key("role", "client")
            .key("client_ip", "a")
            .key("server_ip", "b")
            .key("server_port", 80)
            .set("retran_packets", 0)
            .set("syn_srtt_max", 1500)
            .build();
    Row r2 =
        TCP.row()
            .key("tgid", 1)
            .key("role", "client")
            .key("client_ip", "a")
            .key("server_ip", "b")
            .key("server_port", 80)
            .set("retran_packets", 100)
            .set("syn_srtt_max", 1500)
            .build();
    d.onSample(at(0, r1));
    d.onSample(at(5_000, r2));
    assertThat(out).as("drops_thr and latency_thr are 0: off").isEmpty();
    params.put("latency_thr", 1);
    d.onSample(at(10_000, r2));
    assertThat(out).hasSize(1);
    assertThat(out.get(0).metric()).isEqualTo("syn_srtt_max");
    assertThat(out.get(0).value()).isEqualTo(1.5);
    assertThat(out.get(0).labels()).containsEntry("IP", "CIP(a), SIP(b:80)");
  }
}
