package io.gala.agent.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gala.agent.testing.KernelTest;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

@KernelTest
class BpfObjectTest {
  private static final int SYS_OPENAT = 257;
  private static final int ENOENT = 2;

  @Test
  void loadsAttachesAndReadsAMapInBatches() throws Exception {
    try (BpfObject obj = BpfObject.open("proc")) {
      obj.load(Set.of());
      obj.attachAll();
      // A child that fails a few openat calls: the map must then hold an entry for its tgid.
      Process p =
          new ProcessBuilder("/bin/cat", "/nonexistent/gala-a", "/nonexistent/gala-b").start();
      p.waitFor();
      long tgid = p.pid();
      Map<Long, Long> openatFails = new HashMap<>();
      obj.map("syscall_fails")
          .forEach(
              (k, v) -> {
                if (k.getInt(0) == tgid && k.getInt(4) == SYS_OPENAT && k.getInt(8) == ENOENT) {
                  openatFails.merge(tgid, v.getLong(0), Long::sum);
                }
              });
      // The exact count is ProcProbeTest's job (a static helper); here: at least the two files.
      assertThat(openatFails.get(tgid)).isGreaterThanOrEqualTo(2L);
    }
  }

  @Test
  void reportsAMissingGlobalByName() {
    try (BpfObject obj = BpfObject.open("proc")) {
      assertThatThrownBy(() -> obj.setGlobal("targ_nonexistent", 1))
          .hasMessageContaining("proc.bpf.o has no const volatile global targ_nonexistent");
    }
  }

  @Test
  void scopesToANetworkNamespaceThroughAKnob() throws Exception {
    try (BpfObject obj = BpfObject.open("proc")) {
      obj.setGlobal("targ_netns", 1); // no namespace has inode 1: nothing may be counted
      obj.load();
      obj.attachAll();
      new ProcessBuilder("/bin/cat", "/nonexistent/gala").start().waitFor();
      assertThat(obj.map("syscall_fails").forEach((k, v) -> {})).isZero();
    }
  }
}
