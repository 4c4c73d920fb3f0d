package io.gala.agent.probe.baseinfo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.gala.agent.bpf.StatFs;
import io.gala.agent.probe.Identity;
import io.gala.agent.probe.ProbeConfig;
import io.gala.agent.probe.ProbeContext;
import io.gala.agent.probe.ProcessLabels;
import io.gala.agent.probe.Scope;
import io.gala.agent.table.Row;
import io.gala.agent.testing.Shell;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every baseinfo table from two consecutive readings of this machine's files
 * (src/test/resources/baseinfo), 2 s apart by the test's clock; expected figures worked out by hand
 * from the fixture lines quoted here.
 */
class BaseinfoFixtureTest {
  @TempDir Path root;
  private final Map<String, StatFs> statfs = new HashMap<>();
  private final List<String> statfsAsked = new ArrayList<>();
  private List<Row> first;
  private List<Row> second;

  private static Path fixture(String name) throws Exception {
    return Path.of(BaseinfoFixtureTest.class.getResource("/baseinfo/" + name).toURI());
  }

  /** Lays a fixture tree over the root, replacing files that exist. */
  private void copyOver(Path from) throws Exception {
    Shell.run("cp", "-a", from + "/.", root.toString());
  }

  private BaseinfoProbe probe(Scope scope) {
    BaseinfoProbe p =
        new BaseinfoProbe(
            root,
            mount -> {
              statfsAsked.add(mount);
              return statfs.get(mount);
            });
    p.start(
        new ProbeContext(
            new Identity("m", "10.0.0.7"), scope, ProbeConfig.stopped(), new ProcessLabels()));
    return p;
  }

  @BeforeEach
  void twoReadings() throws Exception {
    copyOver(fixture("t0"));
    // f_frsize, blocks, bfree, bavail, files, ffree
    statfs.put("/", new StatFs(4096, 1000, 300, 250, 1000, 901));
    statfs.put("/dev/shm", new StatFs(4096, 100, 100, 100, 50, 49));
    statfs.put("/mnt/with space", new StatFs(1024, 10, 5, 5, 10, 5));
    statfs.put("/sys/fs/cgroup", new StatFs(4096, 0, 0, 0, 0, 0));
    BaseinfoProbe p = probe(Scope.HOST);
    first = new ArrayList<>();
    p.sample(first::add, 10_000);
    copyOver(fixture("t1"));
    second = new ArrayList<>();
    p.sample(second::add, 12_000);
  }

  private static Row row(List<Row> rows, String table, String key) {
    return rows.stream()
        .filter(
            r ->
                r.table().name().equals(table) && (key == null || r.keyValues().get(0).equals(key)))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + table + " row " + key + " in " + rows));
  }

  private static List<String> keys(List<Row> rows, String table) {
    return rows.stream()
        .filter(r -> r.table().name().equals(table))
        .map(r -> r.keyValues().get(0))
        .toList();
  }

  @Test
  void cpuTimesSoftirqsBacklogAndBusyShare() {
    // t1: cpu0 363831 539 132804 595565 3394 0 9202 0; t0 idle and iowait the same: busy all the
    // period
    Row cpu0 = row(second, "cpu", "0");
    assertThat(cpu0.value("user_msec")).isEqualTo(3638310);
    assertThat(cpu0.value("system_msec")).isEqualTo(1328040);
    assertThat(cpu0.value("idle_msec")).isEqualTo(5955650);
    assertThat(cpu0.value("iowait_msec")).isEqualTo(33940);
    assertThat(cpu0.value("softirq_msec")).isEqualTo(92020);
    assertThat(cpu0.value("total_used_per")).isEqualTo(100.0);
    assertThat(row(first, "cpu", "0").value("total_used_per")).as("no period yet").isNaN();
    assertThat(cpu0.value("timer")).isEqualTo(279105);
    assertThat(cpu0.value("net_rx")).isEqualTo(34233098);
    assertThat(cpu0.value("sched")).isEqualTo(340824);
    assertThat(cpu0.value("rcu")).isEqualTo(692556);
    assertThat(cpu0.value("mhz")).isEqualTo(2096.012);
    // softnet_stat line 2: dropped 0x755, cpu number 1 in column 13
    assertThat(row(second, "cpu", "1").value("backlog_drops")).isEqualTo(0x755);
    assertThat(cpu0.value("backlog_drops")).isZero();
    assertThat(keys(second, "cpu")).containsExactly("0", "1");
  }

  @Test
  void memoryFromMeminfo() {
    Row mem = row(second, "mem", "mem");
    assertThat(mem.value("total_kB")).isEqualTo(24683620);
    assertThat(mem.value("available_kB")).isEqualTo(20904200);
    assertThat(mem.value("util")).isCloseTo(100.0 * (24683620 - 20904200) / 24683620, within(1e-9));
    assertThat(mem.value("swap_util")).as("no swap").isZero();
    assertThat(mem.value("Unreclaim_kB")).isEqualTo(54320);
    assertThat(mem.value("inactive_anon_kB")).isEqualTo(3217028);
    assertThat(mem.value("mlocked")).isEqualTo(14380);
  }

  @Test
  void nicCountersRatesAndState() {
    // lo: rx bytes 5458386088 -> 5458389482 over 2 s
    Row lo = row(second, "nic", "lo");
    assertThat(lo.value("rx_bytes")).isEqualTo(5458389482L);
    assertThat(lo.value("tx_packets")).isEqualTo(54122960);
    assertThat(lo.value("rxspeed_KB")).isCloseTo(3394 / 1024.0 / 2, within(1e-9));
    assertThat(lo.label("status")).isEqualTo("unknown");
    assertThat(row(second, "nic", "eth0").label("status")).isEqualTo("up");
    assertThat(row(second, "nic", "eth0").value("txspeed_KB")).isZero();
    assertThat(keys(second, "nic")).containsExactly("lo", "ifb0", "ifb1", "eth0");
  }

  @Test
  void diskFiguresAsIostatComputesThem() {
    // vda: reads +248, sectors read +26160, read ms +47, writes +246, sectors written +29888, write
    // ms +60,
    // io ms +128, weighted ms +132, over 2000 ms
    Row vda = row(second, "disk", "vda");
    assertThat(vda.value("reads")).isEqualTo(3658874);
    assertThat(vda.value("write_bytes")).isEqualTo(36130560L * 512);
    assertThat(vda.value("rspeed")).isEqualTo(124);
    assertThat(vda.value("wspeed")).isEqualTo(123);
    assertThat(vda.value("rspeed_kB")).isEqualTo(26160 / 2.0 / 2);
    assertThat(vda.value("wspeed_kB")).isEqualTo(29888 / 2.0 / 2);
    assertThat(vda.value("r_await")).isCloseTo(47.0 / 248, within(1e-12));
    assertThat(vda.value("w_await")).isCloseTo(60.0 / 246, within(1e-12));
    assertThat(vda.value("rareq")).isCloseTo(26160 / 2.0 / 248, within(1e-12));
    assertThat(vda.value("wareq")).isCloseTo(29888 / 2.0 / 246, within(1e-12));
    assertThat(vda.value("aqu")).isCloseTo(0.066, within(1e-12));
    assertThat(vda.value("util")).isCloseTo(6.4, within(1e-12));
    // loop2 wrote once long ago: a disk with no I/O in the period has zero rates, not NaN
    assertThat(row(second, "disk", "loop2").value("util")).isZero();
    assertThat(keys(second, "disk"))
        .as("vda1 is a partition; idle loop devices and zram0 never did I/O")
        .containsExactly("loop0", "loop1", "loop2", "vda");
  }

  @Test
  void fileSystemsAsDfListsThem() {
    Row rootFs = row(second, "fs", "/");
    assertThat(rootFs.label("Fsname")).isEqualTo("/dev/vda");
    assertThat(rootFs.label("Fstype")).isEqualTo("ext4");
    assertThat(rootFs.label("MountStatus")).isEqualTo("RW");
    assertThat(rootFs.label("Blocks")).isEqualTo("4000");
    assertThat(rootFs.label("Inodes")).isEqualTo("1000");
    assertThat(rootFs.value("Used")).isEqualTo(700 * 4096);
    assertThat(rootFs.value("Free")).isEqualTo(250 * 4096);
    assertThat(rootFs.value("UsePer")).as("700 / 950 = 73.7 %, rounded up").isEqualTo(74);
    assertThat(rootFs.value("IUsePer")).as("99 / 1000 = 9.9 %, rounded up").isEqualTo(10);
    assertThat(row(second, "fs", "/dev/shm").value("UsePer")).isZero();
    assertThat(row(second, "fs", "/mnt/with space").value("IUsed")).isEqualTo(5);
    // /run/netns is /dev/vda again (a bind mount): df shows it once, at the shortest path
    assertThat(statfsAsked).doesNotContain("/run/netns", "/proc", "/sys/fs/cgroup/cpu", "/dev/pts");
    assertThat(keys(second, "fs")).containsExactlyInAnyOrder("/", "/dev/shm", "/mnt/with space");
  }

  @Test
  void hostFacts() {
    Row host = row(second, "host", null);
    assertThat(host.label("hostname")).isEqualTo("vm");
    assertThat(host.label("kversion")).isEqualTo("6.18.44-fc-v782");
    assertThat(host.label("os_version")).isEqualTo("Debian GNU/Linux 12 (bookworm)");
    assertThat(host.label("cpu_num")).isEqualTo("2");
    assertThat(host.label("memory_MB")).isEqualTo(Long.toString(24683620 / 1024));
    assertThat(host.label("ip_addr")).isEqualTo("10.0.0.7");
    assertThat(host.label("host_type")).as("cpuinfo flags: hypervisor").isEqualTo("vm");
    assertThat(host.label("os_btime")).isEqualTo("1795585188");
    assertThat(host.value("uptime_seconds")).isEqualTo(11094.48);
    assertThat(host.value("value")).isEqualTo(1);
  }

  @Test
  void scopedToANamespaceNicRowsAreThatNamespacesOnly() throws Exception {
    BaseinfoProbe p = probe(new Scope(Scope.inode(root.resolve("proc/4242/ns/net"))));
    List<Row> rows = new ArrayList<>();
    p.sample(rows::add, 20_000);
    assertThat(keys(rows, "nic")).containsExactly("lo", "eth0");
    Row eth0 = row(rows, "nic", "eth0");
    assertThat(eth0.value("tx_bytes")).isEqualTo(21148);
    assertThat(eth0.label("status")).as("/sys shows the host's namespace, not this one").isEmpty();
    assertThat(keys(rows, "cpu"))
        .as("the other tables stay the machine's")
        .containsExactly("0", "1");
  }

  @Test
  void aTableThatCannotBeReadIsCountedAndTheOthersStillReported() throws Exception {
    Files.delete(root.resolve("proc/diskstats"));
    BaseinfoProbe p = probe(Scope.HOST);
    List<Row> rows = new ArrayList<>();
    p.sample(rows::add, 30_000);
    assertThat(keys(rows, "disk")).isEmpty();
    assertThat(keys(rows, "cpu")).containsExactly("0", "1");
    assertThat(p.health()).containsEntry("read_errors/disk", 1L);
  }
}
