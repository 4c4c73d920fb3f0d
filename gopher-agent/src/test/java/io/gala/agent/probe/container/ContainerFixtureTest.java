package io.gala.agent.probe.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container table from cgroup trees copied from this machine (hybrid: v1 controllers plus a
 * unified tree with PSI) and written after the kernel's documented formats (pure v2, co-mounted v1
 * of an old kernel). See src/test/resources/container/README.md.
 */
class ContainerFixtureTest {
  private static final String DOCKER_ID =
      "4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a99887766554433221100ffeeddccbbaa99";
  private static final String KUBEPOD_ID =
      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  private static final String DOCKER = DOCKER_ID.substring(0, 12);
  private static final String KUBEPOD = KUBEPOD_ID.substring(0, 12);

  private static Path fixture(String name) throws Exception {
    return Path.of(ContainerFixtureTest.class.getResource("/container/" + name).toURI());
  }

  static ContainerProbe started(Path cgroupRoot, Scope scope, Map<String, Object> params)
      throws Exception {
    ContainerProbe p = new ContainerProbe(cgroupRoot, fixture("proc"));
    p.start(
        new ProbeContext(
            new Identity("m", "127.0.0.1"),
            scope,
            new ProbeConfig(List.of(), ProbeConfig.Snoopers.NONE, params, ProbeConfig.RUNNING),
            new ProcessLabels()));
    return p;
  }

  private static Map<String, Row> rows(ContainerProbe p) {
    List<Row> rows = new ArrayList<>();
    p.sample(rows::add);
    return rows.stream().collect(Collectors.toMap(r -> r.key("container_id"), r -> r));
  }

  @Test
  void hybridReadsV1ControllersAndPressureFromTheUnifiedTree() throws Exception {
    Row r = rows(started(fixture("hybrid"), Scope.HOST, Map.of())).get(DOCKER);
    assertThat(r.label("cgroup")).isEqualTo("/system.slice/docker-" + DOCKER_ID + ".scope");
    assertThat(r.label("cgroup_version")).isEqualTo("hybrid");
    // cpuacct (v1) wins over the unified cpu.stat usage_usec (2.646210 s) that hybrid mode also has
    assertThat(r.value("cpu_usage_seconds_total")).isCloseTo(2.497905504, within(1e-12));
    assertThat(r.value("cpu_user_seconds_total")).isCloseTo(1.38, within(1e-12));
    assertThat(r.value("cpu_system_seconds_total")).isCloseTo(1.104, within(1e-12));
    assertThat(r.value("cpu_quota_cores")).isEqualTo(0.5);
    assertThat(r.value("cpu_cfs_periods_total")).isEqualTo(78);
    assertThat(r.value("cpu_cfs_throttled_periods_total")).isEqualTo(2);
    assertThat(r.value("cpu_cfs_throttled_seconds_total")).isCloseTo(0.01255434, within(1e-12));
    assertThat(r.value("memory_usage_bytes")).isEqualTo(37654528);
    assertThat(r.value("memory_limit_bytes")).isEqualTo(67108864);
    assertThat(r.value("memory_rss")).isEqualTo(24555520);
    assertThat(r.value("memory_cache")).isEqualTo(18968576);
    assertThat(r.value("memory_mapped_file")).isZero();
    assertThat(r.value("memory_working_set_bytes")).isEqualTo(37654528 - 18698240);
    assertThat(r.value("memory_failcnt")).isEqualTo(60270);
    assertThat(r.value("oom_events_total")).isEqualTo(26);
    assertThat(r.value("blkio_read_ops")).isEqualTo(7);
    assertThat(r.value("blkio_write_ops")).isEqualTo(20);
    assertThat(r.value("blkio_read_bytes")).isEqualTo(28672);
    assertThat(r.value("blkio_write_bytes")).isEqualTo(81920);
    assertThat(r.value("cpu_pressure_some_seconds")).isCloseTo(4.072972, within(1e-12));
    assertThat(r.value("cpu_pressure_some_avg10")).isEqualTo(16.09);
    assertThat(r.value("cpu_pressure_full_seconds")).isCloseTo(4.005115, within(1e-12));
    assertThat(r.value("memory_pressure_full_avg10")).isEqualTo(0.03);
    assertThat(r.value("io_pressure_some_seconds")).isCloseTo(0.174287, within(1e-12));
    // pid 4242 has a namespace of its own: its eth0 (lo left out)
    assertThat(r.value("network_receive_bytes_total")).isEqualTo(3848);
    assertThat(r.value("network_receive_packets_total")).isEqualTo(10);
    assertThat(r.value("network_transmit_bytes_total")).isEqualTo(21148);
    assertThat(r.value("network_transmit_packets_total")).isEqualTo(24);
    assertThat(r.value("network_transmit_packets_dropped_total")).isZero();
  }

  @Test
  void watchesContainersAndSystemServicesByDefault() throws Exception {
    Map<String, Row> rows = rows(started(fixture("hybrid"), Scope.HOST, Map.of()));
    // not user.slice (no prefix), not the child "sub" of a container (its id is in a parent, not
    // its own name)
    assertThat(rows).containsOnlyKeys(DOCKER, KUBEPOD, "/system.slice/cron.service");
    Row cron = rows.get("/system.slice/cron.service");
    assertThat(cron.value("cpu_usage_seconds_total")).isCloseTo(0.005857624, within(1e-12));
    assertThat(cron.value("memory_usage_bytes")).isEqualTo(262144);
    assertThat(cron.value("cpu_quota_cores")).as("quota -1: unlimited").isNaN();
    assertThat(cron.value("memory_limit_bytes")).as("page-rounded LONG_MAX: unlimited").isNaN();
    assertThat(cron.value("network_receive_bytes_total")).as("pid 1: the host's namespace").isNaN();
    assertThat(cron.value("cpu_pressure_some_seconds")).isCloseTo(0.007991, within(1e-12));
    assertThat(rows.get(KUBEPOD).label("cgroup"))
        .isEqualTo("/kubepods/burstable/pod5a1e/" + KUBEPOD_ID);
  }

  @Test
  void cgroupPrefixesChooseTheOtherCgroups() throws Exception {
    assertThat(rows(started(fixture("hybrid"), Scope.HOST, Map.of("cgroup_prefixes", ""))))
        .containsOnlyKeys(DOCKER, KUBEPOD);
    assertThat(
            rows(
                started(
                    fixture("hybrid"),
                    Scope.HOST,
                    Map.of("cgroup_prefixes", "/user.slice/, kubepods"))))
        .as(
            "the fixture's /kubepods and its pod directory hold no files: nothing to report for them")
        .containsOnlyKeys(
            DOCKER, KUBEPOD, "/user.slice", "/kubepods/burstable/pod5a1e/" + KUBEPOD_ID + "/sub");
  }

  @Test
  void rejectsPrefixesThatAreNotCgroupPaths() {
    assertThatThrownBy(() -> CgroupWatch.parse("system.slice,../../etc"))
        .hasMessageContaining("'../../etc' is not a cgroup path");
    assertThatThrownBy(() -> CgroupWatch.parse("kube*")).hasMessageContaining("'kube*'");
    assertThat(CgroupWatch.parse(" /kubepods/besteffort/ ,system.slice").prefixes())
        .containsExactly("kubepods/besteffort", "system.slice");
  }

  @Test
  void pureV2ReadsEveryControllerFromOneTree() throws Exception {
    Map<String, Row> rows = rows(started(fixture("v2"), Scope.HOST, Map.of()));
    assertThat(rows)
        .as("crio-conmon-<id>.scope is the monitor, not a second container")
        .containsOnlyKeys("/system.slice/redis-server.service", "abcdefabcdef");
    Row r = rows.get("/system.slice/redis-server.service");
    assertThat(r.label("cgroup_version")).isEqualTo("v2");
    assertThat(r.value("cpu_usage_seconds_total")).isCloseTo(81.234567, within(1e-12));
    assertThat(r.value("cpu_user_seconds_total")).isCloseTo(60.123456, within(1e-12));
    assertThat(r.value("cpu_quota_cores")).isEqualTo(0.5);
    assertThat(r.value("cpu_cfs_periods_total")).isEqualTo(1200);
    assertThat(r.value("cpu_cfs_throttled_periods_total")).isEqualTo(300);
    assertThat(r.value("cpu_cfs_throttled_seconds_total")).isCloseTo(4.5, within(1e-12));
    assertThat(r.value("memory_usage_bytes")).isEqualTo(73400320);
    assertThat(r.value("memory_limit_bytes")).isEqualTo(134217728);
    assertThat(r.value("memory_rss")).isEqualTo(52428800);
    assertThat(r.value("memory_cache")).isEqualTo(18874368);
    assertThat(r.value("memory_mapped_file")).isEqualTo(4194304);
    assertThat(r.value("memory_working_set_bytes")).isEqualTo(73400320 - 12582912);
    assertThat(r.value("memory_failcnt")).isEqualTo(17);
    assertThat(r.value("oom_events_total")).isEqualTo(1);
    assertThat(r.value("blkio_read_bytes")).as("summed over devices").isEqualTo(1048576 + 8192);
    assertThat(r.value("blkio_write_bytes")).isEqualTo(4194304);
    assertThat(r.value("blkio_read_ops")).isEqualTo(66);
    assertThat(r.value("blkio_write_ops")).isEqualTo(256);
    assertThat(r.value("cpu_pressure_some_seconds")).isEqualTo(3.0);
    assertThat(r.value("cpu_pressure_full_avg10")).isEqualTo(1.25);
    assertThat(r.value("io_pressure_full_seconds")).isEqualTo(0.6);
    Row c = rows.get("abcdefabcdef");
    assertThat(c.value("cpu_quota_cores")).as("cpu.max 'max 100000'").isNaN();
    assertThat(c.value("memory_limit_bytes")).as("memory.max 'max'").isNaN();
    assertThat(c.value("network_transmit_bytes_total")).isEqualTo(21148);
  }

  @Test
  void v1CoMountedCpuAndCpuacctOfAnOldKernel() throws Exception {
    Map<String, Row> rows = rows(started(fixture("v1"), Scope.HOST, Map.of()));
    Row r = rows.get("111111111111");
    assertThat(r.label("cgroup_version")).isEqualTo("v1");
    assertThat(r.value("cpu_usage_seconds_total")).isEqualTo(3.0);
    assertThat(r.value("cpu_user_seconds_total"))
        .as("cpuacct.stat in USER_HZ ticks")
        .isEqualTo(2.5);
    assertThat(r.value("cpu_system_seconds_total")).isEqualTo(0.5);
    assertThat(r.value("cpu_quota_cores")).isEqualTo(1.5);
    assertThat(r.value("cpu_cfs_throttled_seconds_total")).isEqualTo(0.9);
    assertThat(r.value("memory_rss")).as("no total_* keys: the cgroup's own").isEqualTo(6291456);
    assertThat(r.value("memory_working_set_bytes")).isEqualTo(10485760 - 2097152);
    assertThat(r.value("oom_events_total"))
        .as("oom_control without oom_kill (before 4.13)")
        .isNaN();
    assertThat(r.value("cpu_pressure_some_seconds")).as("no PSI on v1").isNaN();
    assertThat(rows).containsOnlyKeys("111111111111");
  }

  @Test
  void scopedProbeReportsOnlyCgroupsWithAProcessInItsNamespace() throws Exception {
    Scope ns4242 = new Scope(Scope.inode(fixture("proc").resolve("4242/ns/net")));
    assertThat(rows(started(fixture("hybrid"), ns4242, Map.of()))).containsOnlyKeys(DOCKER);
    assertThat(rows(started(fixture("v2"), ns4242, Map.of()))).containsOnlyKeys("abcdefabcdef");
  }

  @Test
  void aMalformedFileIsCountedAndTheRestOfTheRowStillReported(@TempDir Path tmp) throws Exception {
    Shell.run("cp", "-a", fixture("v1") + "/.", tmp.toString());
    Files.writeString(
        tmp.resolve("cpu,cpuacct/docker/" + "1".repeat(64) + "/cpu.stat"), "nr_periods lots\n");
    ContainerProbe p = started(tmp, Scope.HOST, Map.of());
    Row r = rows(p).get("111111111111");
    assertThat(r.value("cpu_cfs_periods_total")).isNaN();
    assertThat(r.value("cpu_usage_seconds_total")).isEqualTo(3.0);
    assertThat(p.health()).containsEntry("malformed_files", 1L);
  }

  @Test
  void failsToStartWithoutAnyHierarchy(@TempDir Path tmp) {
    assertThatThrownBy(() -> started(tmp, Scope.HOST, new HashMap<>()))
        .hasMessageContaining("no cgroup hierarchy under " + tmp);
  }
}
