package io.gala.agent.probe.proc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.gala.agent.probe.Identity;
import io.gala.agent.probe.ProbeConfig;
import io.gala.agent.probe.ProbeConfig.Snoopers;
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
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The proc probe on the real kernel, each figure against the kernel's own or the helper's count.
 */
@KernelTest
class ProcProbeTest {
  static ProcProbe started(Scope scope, Snoopers snoopers) {
    ProcProbe probe = new ProcProbe();
    probe.start(
        new ProbeContext(
            new Identity("test", "127.0.0.1"),
            scope,
            new ProbeConfig(List.of(), snoopers, Map.of(), ProbeConfig.RUNNING),
            new ProcessLabels()));
    return probe;
  }

  static ProcProbe started() {
    return started(Scope.HOST, Snoopers.NONE);
  }

  static List<Row> sample(ProcProbe probe) throws Exception {
    List<Row> rows = new ArrayList<>();
    probe.sample(rows::add);
    return rows;
  }

  static Optional<Row> proc(List<Row> rows, long tgid) {
    return rows.stream()
        .filter(r -> r.table() == ProcTables.PROC && r.key("tgid").equals(Long.toString(tgid)))
        .findFirst();
  }

  static double value(List<Row> rows, long tgid, String metric) {
    return proc(rows, tgid)
        .orElseThrow(() -> new AssertionError("no proc row for " + tgid))
        .value(metric);
  }

  static double errors(List<Row> rows, long tgid, String syscall, String errno) {
    return rows.stream()
        .filter(
            r ->
                r.table() == ProcTables.PROC_SYSCALL
                    && r.key("tgid").equals(Long.toString(tgid))
                    && r.key("syscall").equals(syscall)
                    && r.key("errno").equals(errno))
        .mapToDouble(r -> r.value("count"))
        .findFirst()
        .orElse(0);
  }

  @Test
  void attributesExactlyTheFailedOpenatCallsOfAChild() throws Exception {
    int n = 137;
    try (ProcProbe probe = started();
        Helper h = Helper.start("fail", Integer.toString(n))) {
      h.expect("ready");
      List<Row> before = sample(probe);
      h.go();
      h.expect("done");
      List<Row> after = sample(probe);
      // Static helper: no loader opens anything before main, so the total is the N calls.
      assertThat(errors(after, h.pid(), "openat", "ENOENT")).isEqualTo(n);
      assertThat(value(after, h.pid(), "syscall_failed") - value(before, h.pid(), "syscall_failed"))
          .as("failed syscalls of the helper between the two samples")
          .isEqualTo(n);
      assertThat(h.finish()).isZero();
      // The final row of the exited process is reported once, then the process is forgotten.
      List<Row> last = sample(probe);
      assertThat(value(last, h.pid(), "exited")).isEqualTo(1);
      assertThat(value(last, h.pid(), "exit_code")).isZero();
      assertThat(errors(last, h.pid(), "openat", "ENOENT")).isEqualTo(n);
      assertThat(proc(sample(probe), h.pid())).isEmpty();
    }
  }

  @Test
  void runQueueDelayMatchesSchedstatIdleAndWithCpuHogs() throws Exception {
    ProbeConfig config = new ProbeConfig(List.of(), Snoopers.NONE, Map.of(), ProbeConfig.RUNNING);
    try (ProcKernel kernel = ProcKernel.start(Scope.HOST, config)) {
      assertRunDelayMatches(kernel, false);
      assertRunDelayMatches(kernel, true);
    }
  }

  /** schedstat's run_delay and the kernel map's sum for one process at (about) the same moment. */
  private record RunDelay(
      long schedstatNs, long probeNs, long probeWaits, long maxNs, long spreadNs) {}

  /**
   * Reads the map between two reads of schedstat and takes their mean, retrying until the three
   * reads took under 2 ms: on a loaded machine the reading thread itself may wait for a CPU between
   * them, while the measured process keeps accumulating delay. The maximum is the first read's,
   * which closes the period since the previous call (a retry closes a period of a few
   * milliseconds).
   */
  private static RunDelay runDelayNow(ProcKernel kernel, long pid) throws Exception {
    long maxNs = -1;
    for (int attempt = 0; ; attempt++) {
      long t0 = System.nanoTime();
      long before = schedstatRunDelayNs(pid);
      ProcStats stats = kernel.read().procs().get(pid);
      long after = schedstatRunDelayNs(pid);
      assertThat(stats).as("kernel record of " + pid).isNotNull();
      maxNs = maxNs < 0 ? stats.runqMaxNs() : maxNs;
      if (System.nanoTime() - t0 < 2_000_000 || attempt == 50) {
        return new RunDelay(
            (before + after) / 2, stats.runqDelayNs(), stats.runqCount(), maxNs, after - before);
      }
    }
  }

  private void assertRunDelayMatches(ProcKernel kernel, boolean hogs) throws Exception {
    List<Process> hogList = new ArrayList<>();
    try (Helper spin = Helper.start(List.of("taskset", "-c", "0"), "spin")) {
      if (hogs) {
        for (int i = 0; i < 2; i++) {
          hogList.add(
              new ProcessBuilder("taskset", "-c", "0", "sh", "-c", "while :; do :; done").start());
        }
      }
      Thread.sleep(500);
      RunDelay r0 = runDelayNow(kernel, spin.pid());
      Thread.sleep(4000);
      RunDelay r1 = runDelayNow(kernel, spin.pid());
      double truth = (r1.schedstatNs() - r0.schedstatNs()) / 1e9;
      double measured = (r1.probeNs() - r0.probeNs()) / 1e9;
      double max = r1.maxNs() / 1e9;
      System.out.printf(
          "run-queue delay hogs=%s: probe %.6f s, schedstat %.6f s (%+.2f %%, +-%.6f s), max %.6f s%n",
          hogs,
          measured,
          truth,
          100 * (measured - truth) / truth,
          (r0.spreadNs() + r1.spreadNs()) / 2e9,
          max);
      if (hogs) {
        assertThat(measured)
            .as("run-queue delay (hogs=true), schedstat says " + truth)
            .isCloseTo(truth, within(truth * 0.10));
      } else {
        // Idle, each wait is a few microseconds, and schedstat leaves out part of it: a wake-up
        // that
        // preempts the running task (often the idle task) sets RQCF_REQ_SKIP, and the switch that
        // follows reuses the run-queue clock of the wake-up, so run_delay ends the wait before the
        // switch the probe times (measured here: the same number of waits, 2-10 us more each).
        // Hence: not less than schedstat, and at most 15 us more per wait.
        long waits = r1.probeWaits() - r0.probeWaits();
        assertThat(measured)
            .as("run-queue delay (hogs=false) over " + waits + " waits, schedstat says " + truth)
            .isGreaterThanOrEqualTo(truth * 0.9)
            .isLessThanOrEqualTo(truth * 1.1 + waits * 15e-6);
      }
      assertThat(max).as("longest wait of the period").isLessThanOrEqualTo(measured).isPositive();
      if (hogs) {
        assertThat(truth).as("hogs on the same CPU must cause waiting").isGreaterThan(0.5);
      }
    } finally {
      hogList.forEach(Process::destroy);
    }
  }

  private static long schedstatRunDelayNs(long pid) throws Exception {
    return Long.parseLong(
        Files.readString(Path.of("/proc/" + pid + "/schedstat")).trim().split(" ")[1]);
  }

  @Test
  void countsForksWithoutThreadsAndExecs() throws Exception {
    int forks = 7;
    int threads = 3;
    int execs = 4;
    try (ProcProbe probe = started();
        Helper h =
            Helper.start(
                "forkexec",
                Integer.toString(forks),
                Integer.toString(threads),
                Integer.toString(execs))) {
      h.expect("ready");
      List<Row> before = sample(probe);
      h.go();
      int forksMade = Integer.parseInt(h.expect("done").split(" ")[1]);
      List<Row> after = sample(probe);
      assertThat(forksMade).as("forks the helper saw succeed").isEqualTo(forks);
      assertThat(value(after, h.pid(), "fork_count") - value(before, h.pid(), "fork_count"))
          .isEqualTo(forksMade);
      assertThat(value(after, h.pid(), "exec_count") - value(before, h.pid(), "exec_count"))
          .isEqualTo(execs);
    }
  }

  @Test
  void finalRowOfAShortLivedChildCarriesItsCpuTimeAndExitStatus() throws Exception {
    try (ProcProbe probe = started();
        Helper h = Helper.start("burn", "300")) {
      h.expect("ready");
      sample(probe);
      h.go();
      // "child <pid> <user us> <system us>": wait4's rusage, the kernel's own CPU time of the
      // reaped child.
      String[] child = h.expect("child").split(" ");
      long pid = Long.parseLong(child[1]);
      double user = Long.parseLong(child[2]) / 1e6;
      double system = Long.parseLong(child[3]) / 1e6;
      List<Row> rows = sample(probe);
      Row last =
          proc(rows, pid).orElseThrow(() -> new AssertionError("no final row for child " + pid));
      System.out.printf(
          "exited child: probe cpu %.4f s (user %.4f, system %.4f), rusage %.4f s (%.4f, %.4f)%n",
          last.value("cpu_seconds"),
          last.value("utime_seconds"),
          last.value("stime_seconds"),
          user + system,
          user,
          system);
      assertThat(last.value("exited")).isEqualTo(1);
      assertThat(last.value("exit_code")).isEqualTo(3);
      assertThat(last.label("comm")).isEqualTo("helper");
      assertThat(last.value("cpu_seconds"))
          .isCloseTo(user + system, within(0.002 + 0.01 * (user + system)));
      assertThat(last.value("utime_seconds")).isCloseTo(user, within(0.01 + 0.05 * user));
      assertThat(last.value("runq_count")).isPositive();
    }
  }

  @Test
  void reportsOnlySnoopedProcesses() throws Exception {
    try (Helper h = Helper.start("fail", "5")) {
      h.expect("ready");
      try (ProcProbe probe =
          started(Scope.HOST, new Snoopers(List.of(h.pid()), List.of(), List.of()))) {
        h.go();
        h.expect("done");
        List<Row> rows = sample(probe);
        assertThat(rows).extracting(r -> r.key("tgid")).containsOnly(Long.toString(h.pid()));
        assertThat(errors(rows, h.pid(), "openat", "ENOENT")).isEqualTo(5);
      }
    }
  }

  @Test
  void scopedToANetworkNamespaceSeesOnlyItsProcesses() throws Exception {
    String ns = "gt-proc-scope-" + ProcessHandle.current().pid();
    run("ip", "netns", "add", ns);
    try {
      Scope scope = new Scope(Scope.inode(Path.of("/run/netns", ns)));
      assertThat(scope.isHost()).as("inode of /run/netns/" + ns).isFalse();
      try (ProcProbe probe = started(scope, Snoopers.NONE);
          Helper h = Helper.start(List.of("ip", "netns", "exec", ns), "fail", "11")) {
        h.expect("ready");
        List<Row> before = sample(probe);
        h.go();
        h.expect("done");
        List<Row> after = sample(probe);
        assertThat(proc(after, ProcessHandle.current().pid()))
            .as("the test JVM, in the host namespace")
            .isEmpty();
        assertThat(after)
            .filteredOn(r -> r.table() == ProcTables.PROC)
            .extracting(r -> r.key("tgid"))
            .containsOnly(Long.toString(h.pid()));
        assertThat(
                errors(after, h.pid(), "openat", "ENOENT")
                    - errors(before, h.pid(), "openat", "ENOENT"))
            .isEqualTo(11);
      }
    } finally {
      run("ip", "netns", "del", ns);
    }
  }

  @Test
  void countsAnOomKillInAMemoryLimitedCgroup() throws Exception {
    Path memory = Path.of("/sys/fs/cgroup/memory");
    assertThat(memory.resolve("memory.oom_control")).as("cgroup v1 memory controller").exists();
    Path cg = memory.resolve("gt-proc-oom-" + ProcessHandle.current().pid());
    Files.createDirectory(cg);
    try {
      Files.writeString(cg.resolve("memory.limit_in_bytes"), Long.toString(32 << 20));
      if (Files.exists(cg.resolve("memory.memsw.limit_in_bytes"))) {
        Files.writeString(cg.resolve("memory.memsw.limit_in_bytes"), Long.toString(32 << 20));
      }
      Files.writeString(cg.resolve("memory.swappiness"), "0");
      try (ProcProbe probe = started();
          Helper h = Helper.start("oom", "256")) {
        h.expect("ready");
        Files.writeString(cg.resolve("cgroup.procs"), Long.toString(h.pid()));
        sample(probe);
        h.go();
        assertThat(h.process().waitFor(30, TimeUnit.SECONDS))
            .as("helper killed within 30 s")
            .isTrue();
        long oomKills = oomKills(cg);
        List<Row> rows = sample(probe);
        assertThat(oomKills).as("oom_kill of the cgroup's memory.oom_control").isEqualTo(1);
        assertThat(value(rows, h.pid(), "oom_kill_count")).isEqualTo(oomKills);
        assertThat(value(rows, h.pid(), "exit_code"))
            .isEqualTo(137)
            .isEqualTo(h.process().exitValue());
      }
    } finally {
      Files.delete(cg);
    }
  }

  private static long oomKills(Path cg) throws Exception {
    for (String line : Files.readAllLines(cg.resolve("memory.oom_control"))) {
      if (line.startsWith("oom_kill ")) {
        return Long.parseLong(line.substring(9).trim());
      }
    }
    throw new AssertionError("no oom_kill line in " + cg.resolve("memory.oom_control"));
  }

  @Test
  void readsCpuMemoryAndFdsOfItsOwnJvmFromProc() throws Exception {
    try (ProcProbe probe = started()) {
      long self = ProcessHandle.current().pid();
      Row me = proc(sample(probe), self).orElseThrow();
      assertThat(me.value("num_threads")).isGreaterThan(1);
      assertThat(me.value("pm_size")).isGreaterThan(10 << 20);
      assertThat(me.value("fd_count")).isGreaterThan(3);
      assertThat(me.value("fd_free_per")).isBetween(0.0, 100.0);
      assertThat(me.value("cpu_seconds"))
          .isPositive()
          .isCloseTo(me.value("utime_seconds") + me.value("stime_seconds"), within(1e-9));
      assertThat(me.label("comm")).isEqualTo("java");
      long started = ProcessHandle.current().info().startInstant().orElseThrow().getEpochSecond();
      assertThat(Long.parseLong(me.label("start_time"))).isCloseTo(started, within(2L));
    }
  }

  private static void run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as(String.join(" ", cmd) + ": " + out).isZero();
  }
}
