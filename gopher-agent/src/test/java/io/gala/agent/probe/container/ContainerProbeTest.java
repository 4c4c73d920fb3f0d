package io.gala.agent.probe.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.gala.agent.probe.Identity;
import io.gala.agent.probe.ProbeConfig;
import io.gala.agent.probe.ProbeContext;
import io.gala.agent.probe.ProcessLabels;
import io.gala.agent.probe.Scope;
import io.gala.agent.table.Row;
import io.gala.agent.testing.KernelTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

@KernelTest
class ContainerProbeTest {
  private static final Path CG = Path.of("/sys/fs/cgroup");
  private static final String NAME = "gt-node-quota";
  private Process busy;

  @AfterEach
  void cleanUp() throws Exception {
    if (busy != null) {
      busy.destroyForcibly().waitFor();
    }
    for (String c : List.of("cpu", "cpuacct", "unified")) {
      Path d = CG.resolve(c).resolve(NAME);
      if (Files.isDirectory(d)) {
        Files.delete(d);
      }
    }
  }

  private static ContainerProbe started() {
    ContainerProbe p = new ContainerProbe();
    p.start(new ProbeContext(new Identity("m", "127.0.0.1"), Scope.HOST,
        new ProbeConfig(List.of(), ProbeConfig.Snoopers.NONE, Map.of("cgroup_prefixes", NAME), ProbeConfig.RUNNING),
        new ProcessLabels()));
    return p;
  }

  private static Row rowOf(ContainerProbe p, String version) throws Exception {
    List<Row> rows = new ArrayList<>();
    p.sample(rows::add);
    return rows.stream()
        .filter(r -> r.label("cgroup").equals("/" + NAME) && r.label("cgroup_version").equals(version))
        .findFirst().orElseThrow(() -> new AssertionError("no container row for /" + NAME + " " + version));
  }

  @Test
  void busyProcessUnderA20PercentQuotaShowsThrottlingAndAFifthOfACoreV1() throws Exception {
    Assumptions.assumeTrue(Files.exists(CG.resolve("cpu/cpu.cfs_quota_us")), "cgroup v1 cpu controller not mounted");
    Path cpu = Files.createDirectories(CG.resolve("cpu").resolve(NAME));
    Path acct = Files.createDirectories(CG.resolve("cpuacct").resolve(NAME));
    Files.writeString(cpu.resolve("cpu.cfs_period_us"), "100000");
    Files.writeString(cpu.resolve("cpu.cfs_quota_us"), "20000");
    // The shell moves itself into both cgroups before it starts spinning.
    busy = new ProcessBuilder("sh", "-c", "echo $$ > " + cpu.resolve("cgroup.procs") + "; echo $$ > "
        + acct.resolve("cgroup.procs") + "; while :; do :; done").start();
    Thread.sleep(1000);
    ContainerProbe probe = started();
    Row a = rowOf(probe, "v1");
    long t0 = System.nanoTime();
    long truth0 = Long.parseLong(Files.readString(acct.resolve("cpuacct.usage")).trim());
    Thread.sleep(5000);
    Row b = rowOf(probe, "v1");
    long truth1 = Long.parseLong(Files.readString(acct.resolve("cpuacct.usage")).trim());
    double secs = (System.nanoTime() - t0) / 1e9;
    double cores = (b.value("cpu_usage_seconds_total") - a.value("cpu_usage_seconds_total")) / secs;
    assertThat(cores).as("CPU use in cores").isCloseTo(0.2, within(0.02));
    assertThat(cores).isCloseTo((truth1 - truth0) / 1e9 / secs, within(0.02));
    assertThat(b.value("cpu_quota_cores")).isEqualTo(0.2);
    assertThat(b.value("cpu_cfs_throttled_periods_total") - a.value("cpu_cfs_throttled_periods_total"))
        .as("throttled periods in 5 s").isGreaterThan(30);
    assertThat(b.value("cpu_cfs_throttled_seconds_total")).isGreaterThan(a.value("cpu_cfs_throttled_seconds_total"));
  }

  @Test
  void busyProcessUnderA20PercentQuotaV2() throws Exception {
    Path unified = Files.exists(CG.resolve("cgroup.controllers")) ? CG : CG.resolve("unified");
    String controllers = Files.exists(unified.resolve("cgroup.controllers"))
        ? Files.readString(unified.resolve("cgroup.controllers")) : "";
    Assumptions.assumeTrue(controllers.contains("cpu"),
        "cgroup v2 has no cpu controller here (hybrid mode binds it to v1): v2 throttling not testable");
    Path d = Files.createDirectories(unified.resolve(NAME));
    Files.writeString(d.resolve("cpu.max"), "20000 100000");
    busy = new ProcessBuilder("sh", "-c", "echo $$ > " + d.resolve("cgroup.procs") + "; while :; do :; done").start();
    Thread.sleep(1000);
    ContainerProbe probe = started();
    Row a = rowOf(probe, "v2");
    long t0 = System.nanoTime();
    Thread.sleep(5000);
    Row b = rowOf(probe, "v2");
    double cores = (b.value("cpu_usage_seconds_total") - a.value("cpu_usage_seconds_total")) / ((System.nanoTime() - t0) / 1e9);
    assertThat(cores).isCloseTo(0.2, within(0.02));
    assertThat(b.value("cpu_cfs_throttled_periods_total")).isGreaterThan(a.value("cpu_cfs_throttled_periods_total"));
  }
}
