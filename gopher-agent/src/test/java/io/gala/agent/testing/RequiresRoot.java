package io.gala.agent.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Fails a kernel test class up front, with the reason, when it cannot load BPF programs. */
public final class RequiresRoot implements BeforeAllCallback {
  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    String uid =
        Files.readAllLines(Path.of("/proc/self/status")).stream()
            .filter(l -> l.startsWith("Uid:"))
            .findFirst()
            .orElse("Uid: ?");
    if (!uid.split("\\s+")[2].equals("0")) {
      throw new IllegalStateException(
          context.getDisplayName()
              + " needs root (effective uid 0) to load eBPF programs; run ./gala test as root, "
              + "or ./gala test --unit for the tests that need no privileges");
    }
    if (!Files.exists(Path.of("/sys/kernel/btf/vmlinux"))) {
      throw new IllegalStateException(
          context.getDisplayName()
              + " needs a kernel with BTF (/sys/kernel/btf/vmlinux, CONFIG_DEBUG_INFO_BTF=y)");
    }
  }
}
