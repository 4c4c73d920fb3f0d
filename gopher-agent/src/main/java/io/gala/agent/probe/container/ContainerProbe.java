package io.gala.agent.probe.container;

import io.gala.agent.probe.Probe;
import io.gala.agent.probe.ProbeContext;
import io.gala.agent.probe.Scope;
import io.gala.agent.table.Row;
import io.gala.agent.table.TableDef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The {@code container} probe: per cgroup, CPU use, CFS quota and throttling, memory use, limit and
 * failures, block I/O, pressure stall time and, for containers with a network namespace of their
 * own, network counters; read from the cgroup files of v1, v2 or hybrid hierarchies (see {@link
 * CgroupLayout}). No eBPF. Which cgroups: containers always, plus those under param {@code
 * cgroup_prefixes} (see {@link CgroupWatch}). When the agent is scoped to a network namespace, only
 * cgroups with a process in that namespace are reported.
 *
 * <pre>{@code
 * ContainerProbe p = new ContainerProbe();       // reads /sys/fs/cgroup and /proc
 * p.start(context);                              // params: cgroup_prefixes
 * p.sample(rows::add);                           // one container row per watched cgroup
 * }</pre>
 */
public final class ContainerProbe implements Probe {
  private static final Logger LOG = Logger.getLogger(ContainerProbe.class.getName());

  /** Processes looked at per cgroup to find its network namespace; any one of them will do. */
  private static final int PIDS_LOOKED_AT = 16;

  private final Path cgroupRoot;
  private final Path proc;
  private final CgroupFiles files = new CgroupFiles();
  private CgroupLayout layout;
  private CgroupWatch watch;
  private CgroupV1 v1;
  private CgroupV2 v2;
  private ContainerNetwork network;
  private Scope scope = Scope.HOST;

  public ContainerProbe() {
    this(Path.of("/sys/fs/cgroup"), Path.of("/proc"));
  }

  /** For tests: a cgroup tree (the contents of /sys/fs/cgroup) and a /proc tree. */
  ContainerProbe(Path cgroupRoot, Path proc) {
    this.cgroupRoot = cgroupRoot;
    this.proc = proc;
  }

  @Override
  public String name() {
    return "container";
  }

  @Override
  public List<TableDef> tables() {
    return List.of(ContainerTable.CONTAINER);
  }

  @Override
  public void start(ProbeContext context) {
    watch =
        CgroupWatch.parse(context.config().param("cgroup_prefixes", CgroupWatch.DEFAULT_PREFIXES));
    scope = context.scope();
    layout = CgroupLayout.detect(cgroupRoot);
    if (layout.hierarchies().isEmpty()) {
      throw new IllegalStateException(
          "container: no cgroup hierarchy under "
              + cgroupRoot
              + " (neither cgroup.controllers nor cpu/ or memory/ there): mount cgroupfs or run the agent with the host's /sys/fs/cgroup");
    }
    v1 = new CgroupV1(layout, files);
    v2 = new CgroupV2(files);
    network = new ContainerNetwork(proc);
    LOG.info(
        "container: cgroup "
            + layout.version()
            + " under "
            + cgroupRoot
            + ", watching containers and "
            + (watch.prefixes().isEmpty()
                ? "no other cgroups"
                : "cgroups under " + watch.prefixes()));
  }

  @Override
  public void sample(Consumer<Row> sink) {
    for (String rel : watch.find(layout.hierarchies())) {
      List<Long> pids = pids(rel);
      if (!scope.isHost()
          && pids.stream().noneMatch(pid -> network.netnsOf(pid) == scope.netnsInode())) {
        continue;
      }
      CgroupValues v = new CgroupValues();
      if (!layout.version().equals(CgroupLayout.V2)) {
        v1.read(rel, v);
      }
      Path unified = layout.unified(rel);
      if (unified != null && Files.isDirectory(unified)) {
        v2.read(unified, v);
      }
      network.read(pids, v);
      if (v.isEmpty()) {
        continue; // removed between the walk and the reads
      }
      Row.Builder row =
          ContainerTable.CONTAINER
              .row()
              .key("container_id", CgroupWatch.id(rel))
              .label("cgroup", "/" + rel)
              .label("cgroup_version", layout.version());
      v.into(row);
      sink.accept(row.build());
    }
  }

  /** The first processes of the cgroup, from the first hierarchy where it has any. */
  private List<Long> pids(String rel) {
    for (Path hierarchy : layout.hierarchies()) {
      List<Long> out = new ArrayList<>();
      for (String line : files.lines(hierarchy.resolve(rel).resolve("cgroup.procs"))) {
        if (out.size() == PIDS_LOOKED_AT) {
          break;
        }
        try {
          out.add(Long.parseLong(line.trim()));
        } catch (NumberFormatException e) {
          // cgroup.procs holds nothing but pids; a blank line is all this can be
        }
      }
      if (!out.isEmpty()) {
        return out;
      }
    }
    return List.of();
  }

  @Override
  public Map<String, Long> health() {
    return Map.of(
        "malformed_files",
        files.malformed(),
        "unlistable_dirs",
        watch == null ? 0 : watch.unreadable());
  }

  @Override
  public void close() {}
}
