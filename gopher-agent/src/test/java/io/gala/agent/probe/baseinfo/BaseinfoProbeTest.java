package io.gala.agent.probe.baseinfo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

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
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The live machine against its own tools and files (no root needed): df, uname, hostname, getconf,
 * /proc.
 */
class BaseinfoProbeTest {
  static BaseinfoProbe started(Scope scope) {
    BaseinfoProbe probe = new BaseinfoProbe();
    probe.start(
        new ProbeContext(
            new Identity("m", "10.0.0.1"), scope, ProbeConfig.stopped(), new ProcessLabels()));
    return probe;
  }

  static List<Row> sample(BaseinfoProbe probe) {
    List<Row> rows = new ArrayList<>();
    probe.sample(rows::add);
    return rows;
  }

  static Row row(List<Row> rows, String table, String key) {
    return rows.stream()
        .filter(
            r ->
                r.table().name().equals(table) && (key == null || r.keyValues().get(0).equals(key)))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + table + " row " + key));
  }

  @Test
  void rootFileSystemAgreesWithDf() throws Exception {
    List<Row> rows = sample(started(Scope.HOST));
    String[] df =
        Shell.run("df", "--output=pcent,ipcent,used", "/")
            .strip()
            .split("\n")[1]
            .trim()
            .split("\\s+");
    Row root = row(rows, "fs", "/");
    assertThat(root.value("UsePer"))
        .as("df Use%")
        .isCloseTo(Double.parseDouble(df[0].replace("%", "")), within(1.0));
    assertThat(root.value("IUsePer"))
        .as("df IUse%")
        .isCloseTo(Double.parseDouble(df[1].replace("%", "")), within(1.0));
    // Other work writes to / meanwhile: within 64 MiB of df's 1K-blocks used.
    assertThat(root.value("Used") / 1024).isCloseTo(Double.parseDouble(df[2]), within(65536.0));
    assertThat(rows.stream().filter(r -> r.table().name().equals("fs")).map(r -> r.key("MountOn")))
        .as("/run/netns is a bind mount of / here: listed once, as df does")
        .doesNotContain("/run/netns");
  }

  @Test
  void hostFactsAgreeWithUnameAndHostname() throws Exception {
    Row host = row(sample(started(Scope.HOST)), "host", null);
    assertThat(host.label("kversion")).isEqualTo(Shell.run("uname", "-r").strip());
    assertThat(host.label("hostname")).isEqualTo(Shell.run("hostname").strip());
    assertThat(host.label("ip_addr")).isEqualTo("10.0.0.1");
    assertThat(host.label("cpu_num")).isEqualTo(Shell.run("getconf", "_NPROCESSORS_ONLN").strip());
  }

  @Test
  void cpuTimesLieBetweenTwoReadingsOfProcStat() throws Exception {
    BaseinfoProbe probe = started(Scope.HOST);
    long[] before = cpu0UserAndSystem();
    Row cpu0 = row(sample(probe), "cpu", "0");
    long[] after = cpu0UserAndSystem();
    assertThat(cpu0.value("user_msec")).isBetween(before[0] * 10.0, after[0] * 10.0);
    assertThat(cpu0.value("system_msec")).isBetween(before[1] * 10.0, after[1] * 10.0);
    assertThat(row(sample(probe), "mem", "mem").value("total_kB"))
        .isEqualTo(
            Double.parseDouble(
                Files.readAllLines(Path.of("/proc/meminfo")).get(0).split("\\s+")[1]));
  }

  private static long[] cpu0UserAndSystem() throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
      if (line.startsWith("cpu0 ")) {
        String[] f = line.split("\\s+");
        return new long[] {Long.parseLong(f[1]), Long.parseLong(f[3])};
      }
    }
    throw new AssertionError("no cpu0 in /proc/stat");
  }
}
