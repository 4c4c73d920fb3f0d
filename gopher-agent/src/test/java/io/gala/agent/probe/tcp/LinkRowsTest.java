package io.gala.agent.probe.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.gala.agent.probe.ProcessInfo;
import io.gala.agent.table.Histogram;
import io.gala.agent.table.Row;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import jnr.ffi.Runtime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Row building, drop-reason naming and the /proc helpers, without the kernel. */
class LinkRowsTest {
  private static final ProcessInfo REDIS =
      new ProcessInfo(4242, "redis-server", "redis-server *:6379", "0123456789ab");
  private static final byte[] LOCAL = v4(10, 0, 0, 1);
  private static final byte[] PEER = v4(10, 0, 0, 2);

  @Test
  void serverLinkPutsThePeerOnTheClientSide() {
    TcpRecord r = record(TcpRecord.Link.SERVER, 6379, 51000, 0, 1000, 0, 500, 0, 0);
    Row row = only(r, Map.of());
    assertThat(row.keyValues())
        .containsExactly("4242", "server", "10.0.0.2", "10.0.0.1", "51000", "6379", "2");
    assertThat(row.labelValues())
        .containsExactly("redis-server", "redis-server *:6379", "0123456789ab", "4026531840");
    assertThat(row.value("connect_failed")).as("server side has no connect").isNaN();
    assertThat(row.histogram("syn_srtt_seconds")).isNull();
  }

  @Test
  void clientLinkKeepsItsOwnAddressAsClient() {
    Row row = only(record(TcpRecord.Link.CLIENT, 51000, 6379, 0, 0, 0, 0, 0, 0), Map.of());
    assertThat(row.keyValues())
        .containsExactly("4242", "client", "10.0.0.1", "10.0.0.2", "51000", "6379", "2");
  }

  @Test
  void bytesArePayloadWithoutRetransmissionsAndWithoutTheFin() {
    // sent 1500 of which 500 again; received 800 plus the FIN's sequence number.
    TcpRecord r =
        record(TcpRecord.Link.CLIENT, 51000, 6379, TcpRecord.FIN_RECEIVED, 1500, 500, 801, 0, 0);
    Row row = only(r, Map.of());
    assertThat(row.value("tx_bytes")).isEqualTo(1000);
    assertThat(row.value("rx_bytes")).isEqualTo(800);
    Row noFin = only(record(TcpRecord.Link.CLIENT, 51000, 6379, 0, 1500, 500, 801, 0, 0), Map.of());
    assertThat(noFin.value("rx_bytes")).isEqualTo(801);
  }

  @Test
  void rtoIsConvertedFromJiffiesWithTheKernelsHz() {
    Row row = only(record(TcpRecord.Link.CLIENT, 1, 2, 0, 0, 0, 0, 50, 250), Map.of());
    assertThat(row.value("rto")).isEqualTo(200_000.0);
    Row unknownHz = only(record(TcpRecord.Link.CLIENT, 1, 2, 0, 0, 0, 0, 50, 0), Map.of());
    assertThat(unknownHz.value("rto")).isNaN();
  }

  @Test
  void connectLatencyAndFailureBelongToTheClient() {
    TcpRecord r =
        withLink(
            record(TcpRecord.Link.CLIENT, 1, 2, 0, 0, 0, 0, 0, 0),
            new TcpRecord.Link(
                4242,
                TcpRecord.Link.CLIENT,
                TcpRecord.Link.CONNECT_FAILED,
                4026531840L,
                150_000,
                0,
                0,
                0,
                0,
                0,
                0,
                new long[TcpLinkStruct.SRTT_SLOTS]));
    Row row = only(r, Map.of());
    assertThat(row.value("connect_failed")).isEqualTo(1);
    Histogram h = row.histogram("syn_srtt_seconds");
    assertThat(h.count()).isEqualTo(1);
    assertThat(h.sum()).isEqualTo(150e-6);
    // 150 us falls in the octave bucket (131 us, 262 us].
    assertThat(h.quantile(0.5)).isEqualTo(262_144e-9);
  }

  @Test
  void srttOctavesBecomeBucketsInSeconds() {
    long[] slots = new long[TcpLinkStruct.SRTT_SLOTS];
    slots[0] = 2; // 0..7 us
    slots[3] = 5; // 32..63 us
    TcpRecord r =
        withLink(
            record(TcpRecord.Link.CLIENT, 1, 2, 0, 0, 0, 0, 0, 0),
            new TcpRecord.Link(4242, TcpRecord.Link.CLIENT, 0, 1, 0, 0, 0, 0, 0, 250, 7, slots));
    Histogram h = only(r, Map.of()).histogram("srtt_seconds");
    assertThat(h.count()).isEqualTo(7);
    assertThat(h.sum()).isEqualTo(250e-6);
    assertThat(h.upperBounds()[0]).isEqualTo(16e-6);
    assertThat(h.counts()[0]).isEqualTo(2);
    assertThat(h.upperBounds()[2]).isEqualTo(64e-6);
    assertThat(h.counts()[2]).isEqualTo(5);
    assertThat(h.upperBounds()[h.upperBounds().length - 1]).isInfinite();
  }

  @Test
  void dropsGoToTheLinkAndOneDropRowPerReason() {
    List<Row> rows = new ArrayList<>();
    LinkRows.emit(
        record(TcpRecord.Link.SERVER, 6379, 51000, 0, 0, 0, 0, 0, 0),
        4242,
        REDIS,
        Map.of("NETFILTER_DROP", 7L, "TCP_OFOMERGE", 2L),
        rows::add);
    assertThat(rows).hasSize(3);
    assertThat(rows.get(0).value("drops")).isEqualTo(9);
    List<Row> dropRows = rows.subList(1, 3);
    assertThat(dropRows).extracting(r -> r.table().name()).containsOnly("tcp_drop");
    assertThat(dropRows)
        .extracting(r -> r.key("reason") + "=" + r.value("packets"))
        .containsExactlyInAnyOrder("NETFILTER_DROP=7.0", "TCP_OFOMERGE=2.0");
    assertThat(dropRows.get(0).key("client_port")).isEqualTo("51000");
  }

  @Test
  void countersOfProgramsNotLoadedAreLeftUnsetNotZero() {
    List<Row> rows = new ArrayList<>();
    TcpRecord r = record(TcpRecord.Link.CLIENT, 51000, 6379, 0, 10, 0, 10, 0, 0);
    LinkRows.emit(
        r, r.tuple(), 4242, REDIS, Map.of(), new LinkRows.Coverage(false, true, false), rows::add);
    Row row = rows.get(0);
    assertThat(row.value("drops")).isNaN();
    assertThat(row.value("zero_rcv_wnd_count")).isNaN();
    assertThat(row.value("send_rsts")).isZero();
    assertThat(row.value("tx_bytes")).isEqualTo(10);
  }

  @Test
  void dropReasonsAreNamedFromTheKernelEnum() {
    DropReasons reasons =
        DropReasons.of(
            Map.of(
                0L,
                "SKB_NOT_DROPPED_YET",
                2L,
                "SKB_DROP_REASON_NOT_SPECIFIED",
                10L,
                "SKB_DROP_REASON_NETFILTER_DROP",
                128L,
                "SKB_DROP_REASON_MAX",
                0xffff0000L,
                "SKB_DROP_REASON_SUBSYS_MASK"),
            Map.of(
                0L,
                "SKB_DROP_REASON_SUBSYS_CORE",
                2L,
                "SKB_DROP_REASON_SUBSYS_OPENVSWITCH",
                3L,
                "SKB_DROP_REASON_SUBSYS_NUM"));
    assertThat(reasons.name(10)).isEqualTo("NETFILTER_DROP");
    assertThat(reasons.name(2)).isEqualTo("NOT_SPECIFIED");
    assertThat(reasons.name(0)).isEqualTo("NOT_DROPPED_YET");
    assertThat(reasons.name((2L << 16) | 3)).isEqualTo("OPENVSWITCH_3");
    assertThat(reasons.name(128)).isEqualTo("UNKNOWN_128");
    assertThat(DropReasons.of(Map.of(), Map.of()).name(0))
        .as("kernel without drop reasons")
        .isEqualTo("UNKNOWN");
  }

  @Test
  void dropKeysDecodeToTheTupleOfTheirConnection() {
    ByteBuffer key = ByteBuffer.allocate(DropCounts.KEY_SIZE).order(ByteOrder.nativeOrder());
    TcpDropKeyStruct k = new TcpDropKeyStruct(Runtime.getSystemRuntime());
    key.putInt((int) k.netns.offset(), 77);
    key.putInt((int) k.reason.offset(), 10);
    key.putShort((int) k.family.offset(), (short) Tuple.AF_INET);
    key.putShort((int) k.lport.offset(), (short) 6379);
    key.putShort((int) k.rport.offset(), (short) 51000);
    key.put((int) k.laddr[0].offset(), LOCAL, 0, 4);
    key.put((int) k.raddr[0].offset(), PEER, 0, 4);
    DropCounts counts =
        new DropCounts(DropReasons.of(Map.of(10L, "SKB_DROP_REASON_NETFILTER_DROP"), Map.of()));
    counts.add(key.array(), 3);
    counts.add(key.array(), 4);
    Tuple t = new Tuple(77, "10.0.0.1", 6379, "10.0.0.2", 51000);
    assertThat(counts.of(t)).containsExactly(Map.entry("NETFILTER_DROP", 7L));
    assertThat(counts.keysOf(t)).hasSize(2);
  }

  @Test
  void addressesAreFormattedAsSsPrintsThem() {
    byte[] v6 = new byte[16];
    v6[0] = 0x20;
    v6[1] = 0x01;
    v6[2] = 0x0d;
    v6[3] = (byte) 0xb8;
    v6[15] = 1;
    assertThat(Tuple.ip(Tuple.AF_INET6, v6)).isEqualTo("2001:db8::1");
    byte[] loopback = new byte[16];
    loopback[15] = 1;
    assertThat(Tuple.ip(Tuple.AF_INET6, loopback)).isEqualTo("::1");
    byte[] mapped = new byte[16];
    mapped[10] = (byte) 0xff;
    mapped[11] = (byte) 0xff;
    mapped[12] = 127;
    mapped[15] = 1;
    assertThat(Tuple.ip(Tuple.AF_INET6, mapped)).isEqualTo("127.0.0.1");
    byte[] twoRuns = {0x20, 0x01, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1};
    assertThat(Tuple.ip(Tuple.AF_INET6, twoRuns)).isEqualTo("2001:0:0:1::1");
  }

  @Test
  void socketOwnersAreFoundByInodeAndRescansAreRateLimited(@TempDir Path proc) throws IOException {
    Files.createDirectories(proc.resolve("100/fd"));
    Files.createSymbolicLink(proc.resolve("100/fd/3"), Path.of("socket:[5555]"));
    Files.createSymbolicLink(proc.resolve("100/fd/4"), Path.of("pipe:[777]"));
    Files.createDirectories(proc.resolve("self"));
    AtomicLong now = new AtomicLong(0);
    InodeOwners owners = new InodeOwners(proc, 10_000, now::get);
    assertThat(owners.owner(5555)).isEqualTo(100);
    assertThat(owners.owner(6666)).isZero();
    Files.createDirectories(proc.resolve("200/fd"));
    Files.createSymbolicLink(proc.resolve("200/fd/7"), Path.of("socket:[6666]"));
    assertThat(owners.owner(6666)).as("no rescan within 10 s").isZero();
    now.set(10_000);
    assertThat(owners.owner(6666)).isEqualTo(200);
    assertThat(owners.scans()).isEqualTo(2);
  }

  private static Row only(TcpRecord r, Map<String, Long> drops) {
    List<Row> rows = new ArrayList<>();
    LinkRows.emit(r, 4242, REDIS, drops, rows::add);
    assertThat(rows).hasSize(1 + drops.size());
    return rows.get(0);
  }

  private static TcpRecord record(
      int role,
      int lport,
      int rport,
      int sockFlags,
      long sent,
      long retrans,
      long received,
      long rtoJiffies,
      int hz) {
    TcpRecord.Link link =
        new TcpRecord.Link(
            4242, role, 0, 4026531840L, 0, 0, 0, 0, 0, 0, 0, new long[TcpLinkStruct.SRTT_SLOTS]);
    return new TcpRecord(
        0xffff0000L,
        1,
        TcpRecord.LIVE,
        Tuple.AF_INET,
        1,
        hz,
        LOCAL,
        PEER,
        lport,
        rport,
        sockFlags,
        sent,
        retrans,
        received,
        10,
        11,
        0,
        30,
        rtoJiffies,
        10,
        0,
        0,
        0,
        link);
  }

  private static TcpRecord withLink(TcpRecord r, TcpRecord.Link l) {
    return new TcpRecord(
        r.sock(),
        r.ino(),
        r.kind(),
        r.family(),
        r.state(),
        r.hz(),
        r.laddr(),
        r.raddr(),
        r.lport(),
        r.rport(),
        r.sockFlags(),
        r.bytesSent(),
        r.bytesRetrans(),
        r.bytesReceived(),
        r.segsIn(),
        r.segsOut(),
        r.totalRetrans(),
        r.srttUs(),
        r.rtoJiffies(),
        r.sndCwnd(),
        r.skDrops(),
        r.lostOut(),
        r.sackedOut(),
        l);
  }

  private static byte[] v4(int a, int b, int c, int d) {
    byte[] out = new byte[16];
    out[0] = (byte) a;
    out[1] = (byte) b;
    out[2] = (byte) c;
    out[3] = (byte) d;
    return out;
  }
}
