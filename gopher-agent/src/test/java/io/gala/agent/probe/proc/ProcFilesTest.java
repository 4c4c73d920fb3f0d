package io.gala.agent.probe.proc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parsing of /proc/<pid>/{stat,io,fd,limits} and /proc/stat, on a fixture directory. */
class ProcFilesTest {
  @TempDir Path proc;

  private Path process(long pid, String comm) throws Exception {
    Path dir = Files.createDirectories(proc.resolve(Long.toString(pid)));
    Files.writeString(
        dir.resolve("stat"),
        pid
            + " ("
            + comm
            + ") S 41 40 4236 0 -1 4194304 99 0 7 0 250 31 0 0 20 0 "
            + "3 0 1085611 3133440 416 18446744073709551615 1 2 3 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 1 2 3 4 5 6 7 0\n");
    Files.writeString(
        dir.resolve("io"),
        "rchar: 6976\nwchar: 12\nsyscr: 10\nsyscw: 1\nread_bytes: 4096\n"
            + "write_bytes: 8192\ncancelled_write_bytes: 512\n");
    Path fd = Files.createDirectories(dir.resolve("fd"));
    for (int i = 0; i < 5; i++) {
      Files.createFile(fd.resolve(Integer.toString(i)));
    }
    Files.writeString(
        dir.resolve("limits"),
        "Limit                     Soft Limit           Hard Limit           Units\n"
            + "Max open files            1024                 524288               files     \n");
    return dir;
  }

  @Test
  void readsStatFieldsAfterACommWithSpacesAndParentheses() throws Exception {
    process(42, "we(ird) c)omm");
    ProcFiles f = ProcFiles.read(proc, 42);
    assertThat(f.state()).isEqualTo('S');
    assertThat(f.ppid()).isEqualTo(41);
    assertThat(f.pgid()).isEqualTo(40);
    assertThat(f.minflt()).isEqualTo(99);
    assertThat(f.majflt()).isEqualTo(7);
    assertThat(f.utime()).isEqualTo(250);
    assertThat(f.stime()).isEqualTo(31);
    assertThat(f.numThreads()).isEqualTo(3);
    assertThat(f.startTicks()).isEqualTo(1085611);
    assertThat(f.vsize()).isEqualTo(3133440);
    assertThat(f.rssPages()).isEqualTo(416);
    assertThat(f.zombie()).isFalse();
  }

  @Test
  void readsIoAndCountsFds() throws Exception {
    process(42, "x");
    ProcFiles f = ProcFiles.read(proc, 42);
    assertThat(f.fdCount()).isEqualTo(5);
    assertThat(
            new long[] {
              f.rchar(),
              f.wchar(),
              f.syscr(),
              f.syscw(),
              f.readBytes(),
              f.writeBytes(),
              f.cancelledWriteBytes()
            })
        .containsExactly(6976, 12, 10, 1, 4096, 8192, 512);
    assertThat(ProcFiles.fdLimit(proc, 42)).isEqualTo(1024);
  }

  @Test
  void unreadableIoAndFdsAreMinusOneAndAGoneProcessIsNull() throws Exception {
    Path dir = process(43, "kthread");
    Files.delete(dir.resolve("io"));
    try (var fds = Files.list(dir.resolve("fd"))) {
      for (Path p : fds.toList()) {
        Files.delete(p);
      }
    }
    Files.delete(dir.resolve("fd"));
    ProcFiles f = ProcFiles.read(proc, 43);
    assertThat(f.rchar()).isEqualTo(-1);
    assertThat(f.fdCount()).isEqualTo(-1);
    assertThat(ProcFiles.read(proc, 44)).isNull();
    assertThat(ProcFiles.fdLimit(proc, 44)).isEqualTo(-1);
  }

  @Test
  void listsOnlyNumericEntriesAsPids() throws Exception {
    process(42, "a");
    process(7, "b");
    Files.createDirectories(proc.resolve("self"));
    Files.createDirectories(proc.resolve("1x"));
    assertThat(ProcFiles.pids(proc)).containsExactlyInAnyOrder(42L, 7L);
  }

  @Test
  void readsBootTimeAndFallsBackToFourKibPages() throws Exception {
    Files.writeString(proc.resolve("stat"), "cpu  1 2 3\nbtime 1700000000\nprocesses 5\n");
    assertThat(ProcFiles.bootTime(proc)).isEqualTo(1700000000L);
    assertThat(ProcFiles.pageSize(proc)).isEqualTo(4096);
    assertThat(ProcFiles.pageSize(Path.of("/proc"))).isPositive();
  }
}
