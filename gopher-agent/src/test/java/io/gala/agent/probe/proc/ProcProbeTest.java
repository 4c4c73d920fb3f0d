package io.gala.agent.probe.proc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.gala.agent.probe.Identity;
import io.gala.agent.probe.ProbeConfig;
import io.gala.agent.probe.ProbeContext;
import io.gala.agent.probe.ProcessLabels;
import io.gala.agent.probe.Scope;
import io.gala.agent.table.Row;
import io.gala.agent.testing.KernelTest;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@KernelTest
class ProcProbeTest {
  private static Path helper;
  private static final List<Process> children = new ArrayList<>();

  @BeforeAll
  static void buildHelper() throws Exception {
    Path dir = Files.createTempDirectory("gala-proc-test");
    Path src = dir.resolve("helper.c");
    Files.copy(ProcProbeTest.class.getResourceAsStream("/proc/helper.c"), src);
    helper = dir.resolve("helper");
    Process cc = new ProcessBuilder("gcc", "-static", "-O2", "-o", helper.toString(), src.toString())
        .redirectErrorStream(true).start();
    String out = new String(cc.getInputStream().readAllBytes());
    assertThat(cc.waitFor()).as("gcc -static (needs gcc and libc6-dev): " + out).isZero();
  }

  @AfterAll
  static void stopChildren() {
    children.forEach(Process::destroyForcibly);
  }

  static ProcProbe started() {
    ProcProbe probe = new ProcProbe();
    probe.start(new ProbeContext(new Identity("test", "127.0.0.1"), Scope.HOST,
        new ProbeConfig(List.of(), ProbeConfig.Snoopers.NONE, Map.of(), ProbeConfig.RUNNING), new ProcessLabels()));
    return probe;
  }

  static List<Row> sample(ProcProbe probe) throws Exception {
    List<Row> rows = new ArrayList<>();
    probe.sample(rows::add);
    return rows;
  }

  static Optional<Row> row(List<Row> rows, String table, long tgid) {
    return rows.stream().filter(r -> r.table().name().equals(table) && r.key("tgid").equals(Long.toString(tgid))).findFirst();
  }

  @Test
  void attributesExactlyTheFailedOpenatCallsOfAChild() throws Exception {
    int n = 137;
    try (ProcProbe probe = started()) {
      Process p = new ProcessBuilder(helper.toString(), "fail", Integer.toString(n)).start();
      children.add(p);
      OutputStream in = p.getOutputStream();
      in.write('\n');
      in.flush();
      assertThat(new BufferedReader(new InputStreamReader(p.getInputStream())).readLine()).isEqualTo("done");
      List<Row> rows = sample(probe);
      Row openat = rows.stream()
          .filter(r -> r.table().name().equals("proc_syscall") && r.key("tgid").equals(Long.toString(p.pid()))
              && r.key("syscall").equals("openat") && r.key("errno").equals("ENOENT"))
          .findFirst().orElseThrow(() -> new AssertionError("no proc_syscall row for openat/ENOENT of " + p.pid()));
      assertThat(openat.value("failed")).isEqualTo(n);
      assertThat(row(rows, "proc", p.pid()).orElseThrow().value("syscall_failed")).isGreaterThanOrEqualTo(n);
      in.close();
      p.waitFor();
      // The final row of the exited process is reported once, then the process is forgotten.
      List<Row> after = sample(probe);
      assertThat(row(after, "proc", p.pid()).orElseThrow().value("exited")).isEqualTo(1);
      assertThat(row(sample(probe), "proc", p.pid())).isEmpty();
    }
  }

  @Test
  void runQueueDelayMatchesSchedstatIdleAndWithCpuHogs() throws Exception {
    try (ProcProbe probe = started()) {
      assertRunDelayMatches(probe, false);
      assertRunDelayMatches(probe, true);
    }
  }

  private void assertRunDelayMatches(ProcProbe probe, boolean hogs) throws Exception {
    Process spin = new ProcessBuilder("taskset", "-c", "0", helper.toString(), "spin").start();
    children.add(spin);
    List<Process> hogList = new ArrayList<>();
    if (hogs) {
      for (int i = 0; i < 2; i++) {
        Process h = new ProcessBuilder("taskset", "-c", "0", "sh", "-c", "while :; do :; done").start();
        children.add(h);
        hogList.add(h);
      }
    }
    Thread.sleep(500);
    // schedstat is read right before the sample, whose first step reads the kernel map: a sample walks
    // all of /proc afterwards, which under load takes long enough to skew the windows otherwise.
    long s0 = schedstatRunDelayNs(spin.pid());
    double k0 = row(sample(probe), "proc", spin.pid()).orElseThrow().value("runq_delay_seconds");
    Thread.sleep(4000);
    long s1 = schedstatRunDelayNs(spin.pid());
    double k1 = row(sample(probe), "proc", spin.pid()).orElseThrow().value("runq_delay_seconds");
    spin.destroy();
    hogList.forEach(Process::destroy);
    double kernelTruth = (s1 - s0) / 1e9;
    double probe1 = k1 - k0;
    assertThat(probe1).as("run-queue delay (hogs=" + hogs + "), schedstat says " + kernelTruth)
        .isCloseTo(kernelTruth, within(Math.max(kernelTruth * 0.10, 0.0005)));
    if (hogs) {
      assertThat(kernelTruth).as("hogs on the same CPU must cause waiting").isGreaterThan(0.5);
    }
  }

  private static long schedstatRunDelayNs(long pid) throws Exception {
    return Long.parseLong(Files.readString(Path.of("/proc/" + pid + "/schedstat")).trim().split(" ")[1]);
  }

  @Test
  void javaMirrorsMatchTheCompiledStructs() {
    try (io.gala.agent.bpf.BpfObject obj = io.gala.agent.bpf.BpfObject.open("proc")) {
      assertThat(obj.structSize("proc_stats")).isEqualTo(ProcStats.SIZE);
      assertThat(obj.structSize("syscall_fail_key")).isEqualTo(16);
    }
  }

  @Test
  void readsCpuMemoryAndFdsOfItsOwnJvmFromProc() throws Exception {
    try (ProcProbe probe = started()) {
      long self = ProcessHandle.current().pid();
      Row me = row(sample(probe), "proc", self).orElseThrow();
      assertThat(me.value("num_threads")).isGreaterThan(1);
      assertThat(me.value("pm_size")).isGreaterThan(10 << 20);
      assertThat(me.value("fd_count")).isGreaterThan(3);
      assertThat(me.value("cpu_seconds")).isGreaterThan(0);
      assertThat(me.label("comm")).isEqualTo("java");
    }
  }
}
