package io.gala.agent.probe.container;

import java.nio.file.Path;
import java.util.Map;

/**
 * Pressure stall information of a cgroup (Documentation/accounting/psi.rst): for cpu, memory and
 * io, the time some (or all) of its runnable tasks were stalled waiting for that resource, as a
 * counter in seconds and as the kernel's 10-second average share in percent.
 */
final class Pressure {
  private static final String[] RESOURCES = {"cpu", "memory", "io"};
  private static final String[] KINDS = {"some", "full"};

  private Pressure() {}

  static void read(CgroupFiles files, Path dir, CgroupValues v) {
    for (String res : RESOURCES) {
      Map<String, CgroupFiles.Psi> psi = files.psi(dir.resolve(res + ".pressure"));
      for (String kind : KINDS) {
        CgroupFiles.Psi p = psi.get(kind);
        if (p != null) {
          v.offer(res + "_pressure_" + kind + "_seconds", p.totalMicros(), 1e-6);
          v.offer(res + "_pressure_" + kind + "_avg10", p.avg10());
        }
      }
    }
  }
}
