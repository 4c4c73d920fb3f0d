package io.gala.agent.probe.proc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Syscall and errno names, and the exit record's figures as /proc and a shell show them. */
class ProcNamesTest {
  @Test
  void namesSyscallsOfTheBuildArchitectureAndCompatOnesByNumber() {
    assertThat(Syscalls.syscall(257)).isEqualTo("openat");
    assertThat(Syscalls.syscall(0)).isEqualTo("read");
    assertThat(Syscalls.syscall(100000)).isEqualTo("100000");
    assertThat(Syscalls.syscall(Syscalls.COMPAT | 5)).isEqualTo("compat_5");
  }

  @Test
  void namesErrnosIncludingKernelInternalOnes() {
    assertThat(Syscalls.errno(2)).isEqualTo("ENOENT");
    assertThat(Syscalls.errno(11)).isEqualTo("EAGAIN");
    assertThat(Syscalls.errno(133)).isEqualTo("EHWPOISON");
    assertThat(Syscalls.errno(41)).isEqualTo("E41");
    assertThat(Syscalls.errno(524)).isEqualTo("ENOTSUPP");
    assertThat(Syscalls.errno(4000)).isEqualTo("E4000");
  }

  private static ProcStats exit(int waitStatus, long cpuNs, long utimeNs, long stimeNs) {
    return new ProcStats(0, 0, 0, 0, 0, 0, 0, 1, cpuNs, utimeNs, stimeNs, waitStatus, 1, "x");
  }

  @Test
  void exitCodeIsTheStatusOr128PlusTheSignal() {
    assertThat(exit(3 << 8, 0, 0, 0).shellExitCode()).isEqualTo(3);
    assertThat(exit(0, 0, 0, 0).shellExitCode()).isZero();
    assertThat(exit(9, 0, 0, 0).shellExitCode()).isEqualTo(137);
    assertThat(exit(11 | 0x80, 0, 0, 0).shellExitCode()).isEqualTo(139); // SIGSEGV with a core dump
  }

  @Test
  void exitCpuTimeIsSplitInTheSampledRatioOfTheExactTotal() {
    assertThat(exit(0, 1000, 300, 100).exitUserSystemNs()).containsExactly(750, 250);
    assertThat(exit(0, 1000, 0, 0).exitUserSystemNs()).containsExactly(1000, 0);
    assertThat(exit(0, 1000, 0, 5).exitUserSystemNs()).containsExactly(0, 1000);
  }
}
