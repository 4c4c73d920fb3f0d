package io.gala.agent.probe.baseinfo;

import io.gala.agent.bpf.StatFs;
import io.gala.agent.probe.Probe;
import io.gala.agent.probe.ProbeContext;
import io.gala.agent.probe.Scope;
import io.gala.agent.table.Row;
import io.gala.agent.table.TableDef;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The {@code baseinfo} probe: host-level CPU, memory, NICs, disks, file systems and host facts,
 * from the kernel's own text files; no eBPF. Each table is read on its own: one that fails (file
 * missing in a container, format changed) is counted in {@link #health()} and the others are still
 * reported.
 *
 * <p>When the agent is scoped to a network namespace, the {@code nic} rows are that namespace's:
 * read from {@code /proc/<pid>/net/dev} of a process inside it (the file shows that process's
 * namespace whoever reads it, so no setns is needed, which a JVM could only do per thread). A
 * namespace with no process in it has no NIC rows until one appears; this is logged once. The other
 * tables stay the machine's: CPUs, memory, disks and file systems are shared by all namespaces.
 */
public final class BaseinfoProbe implements Probe {
  private static final Logger LOG = Logger.getLogger(BaseinfoProbe.class.getName());

  private final Path root;
  private final Path proc;
  private final CpuReader cpu;
  private final MemReader mem;
  private final NicReader nic;
  private final DiskReader disk;
  private final FsReader fs;
  private final Map<String, Long> readErrors = new TreeMap<>();
  private HostReader host;
  private Scope scope = Scope.HOST;
  private long nsPid = -1;
  private boolean warnedNoNsPid;

  public BaseinfoProbe() {
    this(Path.of("/"), StatFs::of);
  }

  /** For tests: a root holding proc/, sys/ and etc/ fixtures, and statvfs(3) of a mount point. */
  BaseinfoProbe(Path root, Function<String, StatFs> statfs) {
    this.root = root;
    this.proc = root.resolve("proc");
    Path sys = root.resolve("sys");
    this.cpu = new CpuReader(proc);
    this.mem = new MemReader(proc);
    this.nic = new NicReader(sys);
    this.disk = new DiskReader(proc, sys);
    this.fs = new FsReader(proc, statfs);
  }

  @Override
  public String name() {
    return "baseinfo";
  }

  @Override
  public List<TableDef> tables() {
    return List.of(
        BaseinfoTables.CPU,
        BaseinfoTables.MEM,
        BaseinfoTables.NIC,
        BaseinfoTables.DISK,
        BaseinfoTables.FS,
        BaseinfoTables.HOST);
  }

  @Override
  public void start(ProbeContext context) {
    this.scope = context.scope();
    this.host = new HostReader(root, context.identity().hostIp());
  }

  @Override
  public void sample(Consumer<Row> sink) {
    sample(sink, System.nanoTime() / 1_000_000);
  }

  /** One sample at a monotonic time in milliseconds (tests pass their own clock). */
  void sample(Consumer<Row> sink, long nowMillis) {
    table("cpu", () -> cpu.read(sink, nowMillis));
    table("mem", () -> mem.read(sink));
    table(
        "nic",
        () -> {
          Path netDev = netDev();
          if (netDev != null) {
            nic.read(sink, netDev, scope.isHost(), nowMillis);
          }
        });
    table("disk", () -> disk.read(sink, nowMillis));
    table("fs", () -> fs.read(sink));
    table("host", () -> host.read(sink));
  }

  private interface TableRead {
    void run() throws IOException;
  }

  private void table(String name, TableRead read) {
    try {
      read.run();
    } catch (IOException | RuntimeException e) {
      long n = readErrors.merge("read_errors/" + name, 1L, Long::sum);
      if (n <= 3 || n % 100 == 0) {
        LOG.log(
            Level.WARNING,
            "baseinfo: table " + name + " not read (" + n + " times so far); the others are",
            e);
      }
    }
  }

  /** The net/dev file of the scope's namespace; null while no process is in it. */
  private Path netDev() throws IOException {
    if (scope.isHost()) {
      return proc.resolve("net/dev");
    }
    if (nsPid > 0 && netnsOf(nsPid) == scope.netnsInode()) {
      return proc.resolve(nsPid + "/net/dev");
    }
    nsPid = -1;
    try (DirectoryStream<Path> pids =
        Files.newDirectoryStream(proc, p -> p.getFileName().toString().matches("\\d+"))) {
      for (Path p : pids) {
        long pid = Long.parseLong(p.getFileName().toString());
        if (netnsOf(pid) == scope.netnsInode()) {
          nsPid = pid;
          warnedNoNsPid = false;
          return proc.resolve(pid + "/net/dev");
        }
      }
    }
    if (!warnedNoNsPid) {
      LOG.warning(
          "baseinfo: no process in network namespace "
              + scope.netnsInode()
              + " yet; its NIC rows appear once one runs there");
      warnedNoNsPid = true;
    }
    return null;
  }

  private long netnsOf(long pid) {
    return Scope.inode(proc.resolve(pid + "/ns/net"));
  }

  @Override
  public Map<String, Long> health() {
    Map<String, Long> h = new TreeMap<>(readErrors);
    h.put("statvfs_hung", fs.hung());
    return h;
  }

  @Override
  public void close() {
    fs.close();
  }
}
