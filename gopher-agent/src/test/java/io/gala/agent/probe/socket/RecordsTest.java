package io.gala.agent.probe.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Addresses, kernel keys and records decoded and encoded as socket.h lays them out. */
class RecordsTest {
  @Test
  void formatsAddressesAsGalaPrintsThem() {
    byte[] v4 = new byte[16];
    v4[0] = 10;
    v4[3] = 1;
    assertThat(Addresses.format(Layouts.AF_INET, v4)).isEqualTo("10.0.0.1");
    assertThat(Addresses.format(Layouts.AF_INET6, new byte[16])).isEqualTo("::");
    assertThat(
            Addresses.format(
                Layouts.AF_INET6, Addresses.parse(Layouts.AF_INET6, "2001:db8:0:0:1:0:0:1")))
        .isEqualTo("2001:db8::1:0:0:1");
    assertThat(Addresses.format(Layouts.AF_INET6, Addresses.parse(Layouts.AF_INET6, "::1")))
        .isEqualTo("::1");
    // A dual-stack socket's IPv4 peer (::ffff:10.0.0.1) reads as plain IPv4.
    assertThat(Addresses.format(Layouts.AF_INET6, Addresses.parse(Layouts.AF_INET6, "10.0.0.1")))
        .isEqualTo("10.0.0.1");
  }

  @Test
  void listenAddressesRoundTripThroughTheKernelKey() {
    for (ListenAddress a :
        List.of(
            new ListenAddress(4026532000L, Layouts.AF_INET, "0.0.0.0", 80),
            new ListenAddress(7, Layouts.AF_INET6, "::", 65535),
            new ListenAddress(7, Layouts.AF_INET6, "fe80::1", 22),
            new ListenAddress(7, Layouts.AF_INET6, "127.0.0.1", 8080))) {
      ByteBuffer b = ByteBuffer.wrap(a.toBytes()).order(ByteOrder.nativeOrder());
      assertThat(ListenAddress.read(b, 0)).isEqualTo(a);
    }
  }

  @Test
  void clientEndpointsRoundTripThroughTheKernelKey() {
    ClientEndpoint e =
        new ClientEndpoint(4242, 4026532000L, Layouts.AF_INET, "10.0.0.2", "10.0.0.1", 443);
    assertThat(ClientEndpoint.read(ByteBuffer.wrap(e.toBytes()).order(ByteOrder.nativeOrder())))
        .isEqualTo(e);
  }

  @Test
  void parsesIteratorRecords() {
    ListenAddress a = new ListenAddress(9, Layouts.AF_INET, "10.0.0.1", 80);
    ByteBuffer b = ByteBuffer.allocate(2 * ListenerSocket.SIZE).order(ByteOrder.nativeOrder());
    for (int i = 0; i < 2; i++) {
      int at = i * ListenerSocket.SIZE;
      b.put(at, a.toBytes());
      b.putLong(at + 24, 1000 + i)
          .putLong(at + 32, 77)
          .putInt(at + 40, 2)
          .putInt(at + 44, 128)
          .putInt(at + 48, 3);
    }
    List<ListenerSocket> socks = ListenerSocket.parseAll(b);
    assertThat(socks)
        .containsExactly(
            new ListenerSocket(a, 1000, 77, 2, 128, 3), new ListenerSocket(a, 1001, 77, 2, 128, 3));
    assertThatThrownBy(() -> ListenerSocket.parseAll(ByteBuffer.allocate(10)))
        .hasMessageContaining("not a multiple of struct listener_record");
  }

  @Test
  void readsTcpExtCountersOfNetstat() {
    Netstat n =
        Netstat.parse(
            List.of(
                "TcpExt: SyncookiesSent ListenOverflows ListenDrops TCPReqQFullDrop",
                "TcpExt: 1 20 25 3",
                "IpExt: InNoRoutes",
                "IpExt: 0"));
    assertThat(n).isEqualTo(new Netstat(20, 3));
    assertThat(Netstat.parse(List.of())).isEqualTo(new Netstat(0, 0));
  }

  @Test
  void namesDropReasonsWithoutTheKernelPrefix() {
    DropReasons r = new DropReasons(Map.of(40L, "SKB_DROP_REASON_TCP_LISTEN_OVERFLOW"));
    assertThat(r.name(40)).isEqualTo("TCP_LISTEN_OVERFLOW");
    assertThat(r.name(41)).isEqualTo("REASON_41");
  }

  @Test
  void picksTheProgramVariantsOfTheKernel() {
    Map<String, Integer> v618 = Map.of("kfree_skb", 4, "tcp_retransmit_skb", 3);
    Map<String, Integer> v66 = Map.of("kfree_skb", 3, "tcp_retransmit_skb", 2);
    Map<String, Integer> v510 = Map.of("kfree_skb", 2, "tcp_retransmit_skb", 2);
    assertThat(SocketPrograms.toDisable(v618::get))
        .containsExactlyInAnyOrder(SocketPrograms.KFREE_SKB, SocketPrograms.RETRANSMIT);
    assertThat(SocketPrograms.toDisable(v66::get))
        .containsExactlyInAnyOrder(
            SocketPrograms.KFREE_SKB_WITH_SOCKET, SocketPrograms.RETRANSMIT_WITH_ERROR);
    assertThat(SocketPrograms.toDisable(v510::get))
        .containsExactlyInAnyOrder(
            SocketPrograms.KFREE_SKB_WITH_SOCKET,
            SocketPrograms.KFREE_SKB,
            SocketPrograms.RETRANSMIT_WITH_ERROR);
  }
}
