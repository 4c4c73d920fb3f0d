package io.gala.agent.probe.socket;

import static org.assertj.core.api.Assertions.assertThat;

import io.gala.agent.probe.ProcessInfo;
import io.gala.agent.probe.socket.EndpointRows.Owner;
import io.gala.agent.table.Row;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EndpointRowsTest {
  private static final ListenAddress ADDR =
      new ListenAddress(4026532000L, Layouts.AF_INET6, "::", 8080);
  private static final ProcessInfo NGINX =
      new ProcessInfo(190, "nginx", "nginx: master", "0123456789ab");

  @Test
  void serverRowSumsTheQueuesOfTheAddressSockets() {
    ListenCounters k = new ListenCounters(12, 1, 3, 0, 0, 0, 0, 0, 0);
    List<ListenerSocket> socks =
        List.of(
            new ListenerSocket(ADDR, 1, 0, 2, 128, 1), new ListenerSocket(ADDR, 2, 0, 3, 128, 0));
    Row r =
        EndpointRows.server(
            ADDR,
            new Owner(190, true),
            NGINX,
            new ListenDropAccounts.Drops(9, 2, 5, 1, 1),
            k,
            socks);
    assertThat(r.keyValues()).containsExactly("190", "server", "", "::", "8080", "10");
    assertThat(r.labelValues()).containsExactly("nginx", "0123456789ab", "4026532000", "1");
    assertThat(r.value("listendrop")).isEqualTo(9);
    assertThat(r.value("accept_overflow")).isEqualTo(7);
    assertThat(r.value("syn_overflow")).isEqualTo(1);
    assertThat(r.value("passive_open")).isEqualTo(12);
    assertThat(r.value("passive_open_failed")).isEqualTo(1);
    assertThat(r.value("retran_synacks")).isEqualTo(3);
    assertThat(r.value("accept_queue")).isEqualTo(5);
    assertThat(r.value("accept_queue_limit")).isEqualTo(256);
    assertThat(r.value("syn_queue")).isEqualTo(1);
    assertThat(r.value("listen_sockets")).isEqualTo(2);
    assertThat(r.value("active_open")).isNaN();
  }

  @Test
  void dropRowsNameKernelReasonsAndSkipCausesWithoutDrops() {
    DropReasons names =
        new DropReasons(
            Map.of(
                40L, "SKB_DROP_REASON_TCP_LISTEN_OVERFLOW", 2L, "SKB_DROP_REASON_NOT_SPECIFIED"));
    List<Row> rows =
        EndpointRows.drops(
            ADDR,
            new Owner(190, false),
            NGINX,
            new ListenDropAccounts.Drops(9, 2, 7, 0, 0),
            Map.of(40L, 2L),
            names);
    assertThat(rows)
        .extracting(r -> r.key("reason") + "=" + r.value("packets"))
        .containsExactlyInAnyOrder("TCP_LISTEN_OVERFLOW=2.0", "SYN_ACCEPT_QUEUE_FULL=7.0");
  }

  @Test
  void clientRowIsKeyedByLocalAddressAndRemoteService() {
    Row r =
        EndpointRows.client(
            new ClientEndpoint(300, 1, Layouts.AF_INET, "10.0.0.2", "10.0.0.1", 5432),
            new ProcessInfo(300, "psql", "psql", ""),
            new ClientCounters(10, 1, 7, 2, 4));
    assertThat(r.keyValues()).containsExactly("300", "client", "10.0.0.2", "10.0.0.1", "5432", "2");
    assertThat(r.value("syn_sent")).isEqualTo(9);
    assertThat(r.value("active_open")).isEqualTo(7);
    assertThat(r.value("active_open_failed")).isEqualTo(2);
    assertThat(r.value("retran_syn")).isEqualTo(4);
    assertThat(r.value("listendrop")).isNaN();
  }
}
