package io.gala.agent.probe.baseinfo;

import io.gala.agent.probe.Identity;
import io.gala.agent.probe.Probe;
import io.gala.agent.probe.ProbeContext;
import io.gala.agent.probe.Scope;
import io.gala.agent.table.Row;
import io.gala.agent.table.TableDef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The {@code baseinfo} probe: host-level CPU, memory, NICs, disks, file systems and host facts, from the
 * kernel's text files; no eBPF. When the agent is scoped to a network namespace, NIC rows come from that
 * namespace (through /proc/<pid>/net/dev of a process inside it).
 */
public final class BaseinfoProbe implements Probe {
  private static final Logger LOG = Logger.getLogger(BaseinfoProbe.class.getName());

  private final Path proc;
  private final SystemFiles files;
  private Identity identity;
  private Scope scope;
  private long nsPid = -1;
  private boolean warnedNoNsPid;

  public BaseinfoProbe() {
    this(Path.of("/proc"), Path.of("/sys"));
  }

  BaseinfoProbe(Path proc, Path sys) {
    this.proc = proc;
    this.files = new SystemFiles(proc, sys);
  }

  @Override
  public String name() {
    return "baseinfo";
  }

  @Override
  public List<TableDef> tables() {
    return List.of(BaseinfoTables.CPU, BaseinfoTables.MEM, BaseinfoTables.NIC, BaseinfoTables.DISK,
        BaseinfoTables.FS, BaseinfoTables.HOST);
  }

  @Override
  public void start(ProbeContext context) {
    this.identity = context.identity();
    this.scope = context.scope();
  }

  @Override
  public void sample(Consumer<Row> sink) throws IOException {
    long now = System.currentTimeMillis();
    files.cpu(sink, now);
    files.mem(sink);
    Path netDev = netDev();
    if (netDev != null) {
      files.nic(sink, netDev, scope.isHost(), now);
    }
    files.disk(sink, now);
    files.fs(sink);
    sink.accept(host());
  }

  private Path netDev() throws IOException {
    if (scope.isHost()) {
      return proc.resolve("net/dev");
    }
    if (nsPid > 0 && Scope.netnsOfPid(nsPid) == scope.netnsInode()) {
      return proc.resolve(nsPid + "/net/dev");
    }
    try (Stream<Path> s = Files.list(proc)) {
      nsPid = s.map(p -> p.getFileName().toString()).filter(n -> n.chars().allMatch(Character::isDigit))
          .mapToLong(Long::parseLong).filter(pid -> Scope.netnsOfPid(pid) == scope.netnsInode())
          .findFirst().orElse(-1);
    }
    if (nsPid < 0) {
      if (!warnedNoNsPid) {
        LOG.warning("baseinfo: no process in netns inode " + scope.netnsInode() + " yet; NIC rows wait for one");
        warnedNoNsPid = true;
      }
      return null;
    }
    return proc.resolve(nsPid + "/net/dev");
  }

  private Row host() throws IOException {
    long memKb = 0;
    for (String line : Files.readAllLines(proc.resolve("meminfo"))) {
      if (line.startsWith("MemTotal:")) {
        memKb = Long.parseLong(line.split("\\s+")[1]);
      }
    }
    return BaseinfoTables.HOST.row()
        .label("hostname", SystemFiles.readFirstLine(proc.resolve("sys/kernel/hostname")))
        .label("kversion", SystemFiles.readFirstLine(proc.resolve("sys/kernel/osrelease")))
        .label("os_version", osVersion())
        .label("cpu_num", Runtime.getRuntime().availableProcessors())
        .label("memory_MB", memKb / 1024)
        .label("ip_addr", identity.hostIp())
        .set("uptime_seconds", files.uptimeSeconds())
        .set("up", 1)
        .build();
  }

  private static String osVersion() {
    try {
      for (String line : Files.readAllLines(Path.of("/etc/os-release"))) {
        if (line.startsWith("PRETTY_NAME=")) {
          return line.substring(12).replace("\"", "");
        }
      }
    } catch (IOException e) {
      // no os-release: leave empty
    }
    return "";
  }

  @Override
  public void close() {}
}
