package io.gala.agent.probe.socket;

import io.gala.agent.probe.ProcessInfo;
import io.gala.agent.table.Row;
import io.gala.agent.table.TableDef;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the rows of one endpoint from what the probe gathered: the {@code endpoint_tcp} row of a
 * listen address and its {@code endpoint_tcp_drop} rows, or the {@code endpoint_tcp} row of a
 * client endpoint. Pure logic, so that a unit test drives it.
 */
final class EndpointRows {
  /**
   * The process (or process group, when several processes hold the address's sockets) of a
   * listener.
   */
  record Owner(long tgid, boolean multi) {}

  private EndpointRows() {}

  /**
   * The listen address's row. {@code sockets} are its listening sockets now, empty on the final row
   * of a listener that closed.
   */
  static Row server(
      ListenAddress a,
      Owner owner,
      ProcessInfo info,
      ListenDropAccounts.Drops d,
      ListenCounters k,
      List<ListenerSocket> sockets) {
    long queue = 0;
    long limit = 0;
    long synQueue = 0;
    for (ListenerSocket s : sockets) {
      queue += s.acceptQueue();
      limit += s.acceptQueueLimit();
      synQueue += s.synQueue();
    }
    return keyed(EndpointTables.ENDPOINT_TCP, a, owner, info)
        .set("listendrop", d.listendrop())
        .set("accept_overflow", d.acceptOverflow())
        .set("syn_overflow", d.synQueueFull())
        .set("passive_open", k.passiveOpen())
        .set("passive_open_failed", k.passiveOpenFailed())
        .set("retran_synacks", k.retranSynacks())
        .set("accept_queue", queue)
        .set("accept_queue_limit", limit)
        .set("syn_queue", synQueue)
        .set("listen_sockets", sockets.size())
        .build();
  }

  /**
   * Its drops by cause: the kernel's drop reasons seen at kfree_skb ({@code byReason}, named), then
   * the SYN-time causes; causes without a drop yet have no row.
   */
  static List<Row> drops(
      ListenAddress a,
      Owner owner,
      ProcessInfo info,
      ListenDropAccounts.Drops d,
      Map<Long, Long> byReason,
      DropReasons names) {
    Map<String, Long> byCause = new LinkedHashMap<>();
    byReason.forEach((reason, n) -> byCause.merge(names.name(reason), n, Long::sum));
    byCause.put(DropReasons.SYN_ACCEPT_QUEUE_FULL, d.synAcceptOverflow());
    byCause.put(DropReasons.SYN_QUEUE_FULL, d.synQueueFull());
    byCause.put(DropReasons.SYN_OTHER, d.synOther());
    List<Row> rows = new ArrayList<>();
    byCause.forEach(
        (cause, n) -> {
          if (n > 0) {
            rows.add(
                keyed(EndpointTables.ENDPOINT_TCP_DROP, a, owner, info)
                    .key("reason", cause)
                    .set("packets", n)
                    .build());
          }
        });
    return rows;
  }

  /** A client endpoint's row. */
  static Row client(ClientEndpoint e, ProcessInfo info, ClientCounters c) {
    return EndpointTables.ENDPOINT_TCP
        .row()
        .key("tgid", e.tgid())
        .key("role", EndpointTables.CLIENT)
        .key("client_ip", e.localIp())
        .key("server_ip", e.remoteIp())
        .key("server_port", e.remotePort())
        .key("protocol", e.family())
        .label("comm", info.comm())
        .label("container_id", info.containerId())
        .label("netns", e.netns())
        .label("multi", 0)
        .set("active_open", c.activeOpen())
        .set("active_open_failed", c.activeOpenFailed())
        .set("syn_sent", c.synSent())
        .set("retran_syn", c.retranSyn())
        .build();
  }

  private static Row.Builder keyed(TableDef table, ListenAddress a, Owner owner, ProcessInfo info) {
    return table
        .row()
        .key("tgid", owner.tgid())
        .key("role", EndpointTables.SERVER)
        .key("client_ip", "")
        .key("server_ip", a.ip())
        .key("server_port", a.port())
        .key("protocol", a.family())
        .label("comm", info.comm())
        .label("container_id", info.containerId())
        .label("netns", a.netns())
        .label("multi", owner.multi() ? 1 : 0);
  }
}
