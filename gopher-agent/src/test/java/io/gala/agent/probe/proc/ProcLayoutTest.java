package io.gala.agent.probe.proc;

import static org.assertj.core.api.Assertions.assertThat;

import io.gala.agent.testing.BtfStructs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Java mirrors of proc.h against the BTF of the compiled proc.bpf.o: sizes and every offset.
 */
class ProcLayoutTest {
  private static BtfStructs btf;

  @BeforeAll
  static void readBtf() throws Exception {
    btf = BtfStructs.of("proc");
  }

  @Test
  void procStatsMatchesBtf() {
    assertThat(btf.size("proc_stats")).isEqualTo(ProcStats.SIZE);
    assertThat(btf.offsets("proc_stats")).isEqualTo(ProcStats.OFFSETS);
  }

  @Test
  void syscallFailKeyMatchesBtf() {
    assertThat(btf.size("syscall_fail_key")).isEqualTo(ProcKernel.SyscallError.KEY_SIZE);
    assertThat(btf.offsets("syscall_fail_key")).isEqualTo(ProcKernel.SyscallError.KEY_OFFSETS);
  }
}
