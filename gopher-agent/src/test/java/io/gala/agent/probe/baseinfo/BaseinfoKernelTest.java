package io.gala.agent.probe.baseinfo;

import static io.gala.agent.probe.baseinfo.BaseinfoProbeTest.row;
import static io.gala.agent.probe.baseinfo.BaseinfoProbeTest.sample;
import static io.gala.agent.probe.baseinfo.BaseinfoProbeTest.started;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.gala.agent.probe.Scope;
import io.gala.agent.table.Row;
import io.gala.agent.testing.KernelTest;
import io.gala.agent.testing.Shell;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * nic and disk rows against the kernel's /proc/net/dev and /proc/diskstats deltas under the test's
 * own traffic (UDP datagrams out of a namespace's veth) and I/O (direct 4 KiB reads and writes on a
 * loop device).
 */
@KernelTest
class BaseinfoKernelTest {
  private static final String NS = "gt-node-b1";
  private static final String HOST_VETH = "gt-node-hb";
  private static final Path IMG = Path.of("/tmp/gt-node-disk.img");
  private String loop;

  @AfterEach
  void cleanUp() {
    Shell.quietly("ip", "link", "del", HOST_VETH);
    Shell.quietly("ip", "netns", "del", NS);
    if (loop != null) {
      Shell.quietly("losetup", "-d", loop);
    }
    Shell.quietly("rm", "-f", IMG.toString());
  }

  @Test
  void nicRowsOfAScopedNamespaceFollowItsProcNetDev() throws Exception {
    Shell.run("ip", "netns", "add", NS);
    Shell.run("ip", "netns", "exec", NS, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1");
    Shell.run("ip", "link", "add", HOST_VETH, "type", "veth", "peer", "name", "eth0", "netns", NS);
    Shell.run("sysctl", "-qw", "net.ipv6.conf." + HOST_VETH + ".disable_ipv6=1");
    Shell.run("ip", "addr", "add", "10.253.79.1/30", "dev", HOST_VETH);
    Shell.run("ip", "link", "set", HOST_VETH, "up");
    Shell.run("ip", "-n", NS, "addr", "add", "10.253.79.2/30", "dev", "eth0");
    Shell.run("ip", "-n", NS, "link", "set", "eth0", "up");
    Process holder = new ProcessBuilder("ip", "netns", "exec", NS, "sleep", "60").start();
    try {
      Thread.sleep(300);
      BaseinfoProbe scoped = started(new Scope(Scope.inode(Path.of("/run/netns", NS))));
      BaseinfoProbe host = started(Scope.HOST);
      long[] ns0 = counters(Shell.run("ip", "netns", "exec", NS, "cat", "/proc/net/dev"), "eth0");
      long[] host0 = counters(Files.readString(Path.of("/proc/net/dev")), HOST_VETH);
      List<Row> a = sample(scoped);
      List<Row> ha = sample(host);
      Shell.run(
          "ip",
          "netns",
          "exec",
          NS,
          "/usr/bin/python3",
          "-c",
          "import socket\n"
              + "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
              + "for i in range(40): s.sendto(b'x' * 1000, ('10.253.79.1', 9))");
      Thread.sleep(200);
      List<Row> b = sample(scoped);
      List<Row> hb = sample(host);
      long[] ns1 = counters(Shell.run("ip", "netns", "exec", NS, "cat", "/proc/net/dev"), "eth0");
      long[] host1 = counters(Files.readString(Path.of("/proc/net/dev")), HOST_VETH);

      assertThat(b.stream().filter(r -> r.table().name().equals("nic")).map(r -> r.key("dev_name")))
          .as("the namespace's devices, not the host's")
          .containsExactlyInAnyOrder("lo", "eth0");
      Row eth0a = row(a, "nic", "eth0");
      Row eth0b = row(b, "nic", "eth0");
      assertThat(eth0b.value("tx_packets") - eth0a.value("tx_packets"))
          .as("40 datagrams and an ARP request")
          .isEqualTo(ns1[1] - ns0[1])
          .isGreaterThanOrEqualTo(40);
      assertThat(eth0b.value("tx_bytes") - eth0a.value("tx_bytes"))
          .isEqualTo(ns1[0] - ns0[0])
          .isGreaterThanOrEqualTo(40 * 1042);
      assertThat(eth0b.value("txspeed_KB")).isGreaterThan(0);
      assertThat(eth0b.value("tx_dropped")).isEqualTo(ns1[3]);
      // The same packets arrive on the host's end of the veth, in the host-scoped probe's rows.
      Row hostVethA = row(ha, "nic", HOST_VETH);
      Row hostVethB = row(hb, "nic", HOST_VETH);
      assertThat(hostVethB.value("rx_packets") - hostVethA.value("rx_packets"))
          .isEqualTo(host1[2] - host0[2])
          .isEqualTo(ns1[1] - ns0[1]);
      assertThat(hostVethB.label("status")).isEqualTo("up");
    } finally {
      holder.destroyForcibly().waitFor();
    }
  }

  /** {tx bytes, tx packets, rx packets, tx dropped} of a device in a net/dev text. */
  private static long[] counters(String netDev, String dev) {
    for (String line : netDev.split("\n")) {
      if (line.trim().startsWith(dev + ":")) {
        String[] f = line.substring(line.indexOf(':') + 1).trim().split("\\s+");
        return new long[] {
          Long.parseLong(f[8]), Long.parseLong(f[9]), Long.parseLong(f[1]), Long.parseLong(f[11])
        };
      }
    }
    throw new AssertionError("no " + dev + " in " + netDev);
  }

  @Test
  void diskRowsFollowProcDiskstatsUnderDirectIo() throws Exception {
    Shell.run("truncate", "-s", "16M", IMG.toString());
    loop = Shell.run("losetup", "-f", "--show", IMG.toString()).strip();
    String name = Path.of(loop).getFileName().toString();
    // One write first: a disk that never did I/O has no row.
    Shell.run("dd", "if=/dev/zero", "of=" + loop, "bs=4k", "count=1", "oflag=direct");
    BaseinfoProbe probe = started(Scope.HOST);
    long[] d0 = diskstats(name);
    Row a = row(sample(probe), "disk", name);
    long t0 = System.nanoTime();
    Shell.run("dd", "if=/dev/zero", "of=" + loop, "bs=4k", "count=200", "oflag=direct");
    double writeMillis = (System.nanoTime() - t0) / 1e6;
    t0 = System.nanoTime();
    Shell.run("dd", "if=" + loop, "of=/dev/null", "bs=4k", "count=100", "iflag=direct");
    double readMillis = (System.nanoTime() - t0) / 1e6;
    Row b = row(sample(probe), "disk", name);
    long[] d1 = diskstats(name);

    assertThat(b.value("writes") - a.value("writes"))
        .as("the test's 200 writes")
        .isEqualTo(200)
        .isEqualTo(d1[2] - d0[2]);
    assertThat(b.value("reads") - a.value("reads"))
        .as("the test's 100 reads")
        .isEqualTo(100)
        .isEqualTo(d1[0] - d0[0]);
    assertThat(b.value("write_bytes") - a.value("write_bytes")).isEqualTo(200 * 4096);
    assertThat(b.value("w_await"))
        .as("ms writing / writes, per diskstats")
        .isCloseTo((d1[3] - d0[3]) / 200.0, within(1e-9));
    assertThat(b.value("r_await")).isCloseTo((d1[1] - d0[1]) / 100.0, within(1e-9));
    // One request at a time: their device times add up to less than the wall time dd took.
    assertThat(b.value("w_await") * 200).isLessThanOrEqualTo(writeMillis);
    assertThat(b.value("r_await") * 100).isLessThanOrEqualTo(readMillis);
    assertThat(b.value("wareq")).as("4 KiB each").isEqualTo(4.0);
    assertThat(b.value("rareq")).isEqualTo(4.0);
    assertThat(b.value("util")).isBetween(0.0, 100.0);
  }

  /** {reads, ms reading, writes, ms writing} of a device in /proc/diskstats. */
  private static long[] diskstats(String dev) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/diskstats"))) {
      String[] f = line.trim().split("\\s+");
      if (f[2].equals(dev)) {
        return new long[] {
          Long.parseLong(f[3]), Long.parseLong(f[6]), Long.parseLong(f[7]), Long.parseLong(f[10])
        };
      }
    }
    throw new AssertionError(dev + " not in /proc/diskstats");
  }
}
