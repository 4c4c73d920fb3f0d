package io.gala.agent.probe.container;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the cgroup hierarchies are mounted under a root (normally {@code /sys/fs/cgroup}):
 *
 * <ul>
 *   <li>{@code v2}: one unified hierarchy at the root ({@code cgroup.controllers} there);
 *   <li>{@code hybrid}: v1 controllers in {@code <root>/<controller>} and a unified hierarchy in
 *       {@code <root>/unified} that carries PSI and CPU time for the same paths (systemd mirrors
 *       them);
 *   <li>{@code v1}: only v1 controllers.
 * </ul>
 *
 * Co-mounted v1 controllers ({@code cpu,cpuacct}) are found under either name.
 */
record CgroupLayout(String version, Map<String, Path> v1, Path unified) {
  static final String V1 = "v1";
  static final String HYBRID = "hybrid";
  static final String V2 = "v2";

  /** The v1 controllers this probe reads. */
  private static final List<String> CONTROLLERS = List.of("cpu", "cpuacct", "memory", "blkio");

  static CgroupLayout detect(Path root) {
    if (Files.exists(root.resolve("cgroup.controllers"))) {
      return new CgroupLayout(V2, Map.of(), root);
    }
    Map<String, Path> v1 = new LinkedHashMap<>();
    for (String c : CONTROLLERS) {
      List<String> names =
          c.startsWith("cpu") ? List.of(c, "cpu,cpuacct", "cpuacct,cpu") : List.of(c);
      names.stream()
          .map(root::resolve)
          .filter(Files::isDirectory)
          .findFirst()
          .ifPresent(d -> v1.put(c, d));
    }
    Path unified = root.resolve("unified");
    boolean hasUnified = Files.exists(unified.resolve("cgroup.controllers"));
    return new CgroupLayout(hasUnified ? HYBRID : V1, Map.copyOf(v1), hasUnified ? unified : null);
  }

  /**
   * Directory of a cgroup in a v1 controller's hierarchy, or null when that controller is not
   * mounted.
   */
  Path v1(String controller, String rel) {
    Path h = v1.get(controller);
    return h == null ? null : h.resolve(rel);
  }

  /** Directory of a cgroup in the unified hierarchy, or null when there is none. */
  Path unified(String rel) {
    return unified == null ? null : unified.resolve(rel);
  }

  /**
   * The hierarchies in which watched cgroups are looked for, each once: the v1 controllers read (a
   * cgroup may exist in only some of them, e.g. only blkio for an I/O limit) and the unified one.
   */
  List<Path> hierarchies() {
    List<Path> out = new ArrayList<>();
    for (String c : CONTROLLERS) {
      Path h = v1.get(c);
      if (h != null && !out.contains(h)) {
        out.add(h);
      }
    }
    if (unified != null) {
      out.add(unified);
    }
    return out;
  }
}
