package io.gala.agent.probe.baseinfo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.gala.agent.table.Row;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-period figures computed from two readings of fixture files, as iostat and top compute them. */
class SystemFilesTest {
  @TempDir Path root;

  private Path proc() {
    return root.resolve("proc");
  }

  private void write(String file, String text) throws Exception {
    Path p = root.resolve(file);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
  }

  private Row only(List<Row> rows, String table, String key, String value) {
    return rows.stream().filter(r -> r.table().name().equals(table) && r.key(key).equals(value)).findFirst().orElseThrow();
  }

  @Test
  void computesDiskAwaitUtilAndQueueLikeIostat() throws Exception {
    Files.createDirectories(root.resolve("sys/block/vda"));
    SystemFiles files = new SystemFiles(proc(), root.resolve("sys"));
    write("proc/diskstats", " 254 0 vda 100 0 800 50 200 0 1600 400 0 300 450 0 0 0 0\n"
        + " 254 1 vda1 100 0 800 50 200 0 1600 400 0 300 450 0 0 0 0\n");
    List<Row> rows = new ArrayList<>();
    files.disk(rows::add, 10_000);
    // +10 reads taking 40 ms, +20 writes taking 200 ms, 500 ms busy, 900 weighted ms, over 1 s.
    write("proc/diskstats", " 254 0 vda 110 0 880 90 220 0 1760 600 0 800 1350 0 0 0 0\n");
    rows.clear();
    files.disk(rows::add, 11_000);
    Row vda = only(rows, "disk", "disk_name", "vda");
    assertThat(vda.value("reads")).isEqualTo(110);
    assertThat(vda.value("write_bytes")).isEqualTo(1760 * 512);
    assertThat(vda.value("r_await")).isCloseTo(4.0, within(1e-9));
    assertThat(vda.value("w_await")).isCloseTo(10.0, within(1e-9));
    assertThat(vda.value("util")).isCloseTo(50.0, within(1e-9));
    assertThat(vda.value("aqu")).isCloseTo(0.9, within(1e-9));
    assertThat(vda.value("rspeed")).isCloseTo(10.0, within(1e-9));
    assertThat(rows).noneMatch(r -> r.key("disk_name").equals("vda1")); // partitions are not disks
  }

  @Test
  void computesCpuBusyAndMemoryUtilisation() throws Exception {
    SystemFiles files = new SystemFiles(proc(), root.resolve("sys"));
    write("proc/stat", "cpu  10 0 10 80 0 0 0 0 0 0\ncpu0 100 0 100 700 100 0 0 0 0 0\n");
    List<Row> rows = new ArrayList<>();
    files.cpu(rows::add, 0);
    write("proc/stat", "cpu  10 0 10 80 0 0 0 0 0 0\ncpu0 130 0 120 740 110 0 0 0 0 0\n");
    rows.clear();
    files.cpu(rows::add, 1000);
    Row cpu0 = only(rows, "cpu", "cpu", "0");
    assertThat(cpu0.value("user_msec")).isEqualTo(1300);
    assertThat(cpu0.value("total_used_per")).isCloseTo(50.0, within(1e-9)); // 50 busy of 100 ticks
    write("proc/meminfo", "MemTotal: 1000 kB\nMemFree: 100 kB\nMemAvailable: 250 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n");
    rows.clear();
    files.mem(rows::add);
    assertThat(rows.get(0).value("util")).isCloseTo(75.0, within(1e-9));
    assertThat(rows.get(0).value("swap_util")).isZero();
  }

  @Test
  void computesNicRatesFromNetDev() throws Exception {
    SystemFiles files = new SystemFiles(proc(), root.resolve("sys"));
    String head = "Inter-|   Receive  |  Transmit\n face |bytes packets errs drop fifo frame compressed multicast|bytes\n";
    write("proc/net/dev", head + "  eth0: 1000 10 1 2 0 0 0 0 5000 50 3 4 0 0 0 0\n");
    List<Row> rows = new ArrayList<>();
    files.nic(rows::add, proc().resolve("net/dev"), false, 0);
    write("proc/net/dev", head + "  eth0: 3048 20 1 2 0 0 0 0 9096 60 3 5 0 0 0 0\n");
    rows.clear();
    files.nic(rows::add, proc().resolve("net/dev"), false, 2000);
    Row eth0 = only(rows, "nic", "dev_name", "eth0");
    assertThat(eth0.value("tx_dropped")).isEqualTo(5);
    assertThat(eth0.value("rx_errs")).isEqualTo(1);
    assertThat(eth0.value("rxspeed_KB")).isCloseTo(1.0, within(1e-9));
    assertThat(eth0.value("txspeed_KB")).isCloseTo(2.0, within(1e-9));
  }
}
