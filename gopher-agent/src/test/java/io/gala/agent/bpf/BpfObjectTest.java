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
  void countsFailedOpenatOfAChildExactly() throws Exception {
    try (BpfObject obj = BpfObject.open("proc")) {
      obj.load(Set.of());
      obj.attachAll();
      // 25 failing openat from a child: `cat` of missing files fails each with ENOENT.
      String[] cmd = new String[27];
      cmd[0] = "/bin/cat";
      cmd[1] = "--";
      for (int i = 0; i < 25; i++) {
        cmd[i + 2] = "/nonexistent/gala-" + i;
      }
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      p.waitFor();
      long tgid = p.pid();
      Map<Long, Long> openatFails = new HashMap<>();
      obj.map("syscall_fails").forEach((k, v) -> {
        if (k.getInt(0) == tgid && k.getInt(4) == SYS_OPENAT && k.getInt(8) == ENOENT) {
          openatFails.merge(tgid, v.getLong(0), Long::sum);
        }
      });
      assertThat(openatFails).containsEntry(tgid, 25L);
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
