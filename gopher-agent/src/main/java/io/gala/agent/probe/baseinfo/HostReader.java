package io.gala.agent.probe.baseinfo;

import io.gala.agent.table.Row;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The {@code host} table: one row of facts about the machine as labels (hostname, kernel, OS, CPUs,
 * memory, IP, VM or physical, clock ticks, boot time) and its uptime. The host itself is identified
 * by the {@code machine_id} the exporter puts on every series.
 */
final class HostReader {
  /**
   * sys_vendor / product_name words that mean a virtual machine, when the CPU flags do not say so.
   */
  private static final List<String> VM_VENDORS =
      List.of(
          "qemu",
          "kvm",
          "vmware",
          "virtualbox",
          "xen",
          "bochs",
          "openstack",
          "amazon ec2",
          "google compute engine",
          "microsoft corporation",
          "alibaba cloud",
          "huawei cloud");

  private final Path root;
  private final String hostIp;

  HostReader(Path root, String hostIp) {
    this.root = root;
    this.hostIp = hostIp;
  }

  void read(Consumer<Row> sink) throws IOException {
    Path proc = root.resolve("proc");
    long cpus = 0;
    String btime = "";
    for (String line : KernelText.lines(proc.resolve("stat"))) {
      if (line.startsWith("cpu") && !line.startsWith("cpu ")) {
        cpus++;
      } else if (line.startsWith("btime ")) {
        btime = line.substring(6).trim();
      }
    }
    long memKb = 0;
    for (String line : KernelText.lines(proc.resolve("meminfo"))) {
      if (line.startsWith("MemTotal:")) {
        memKb = Long.parseLong(KernelText.fields(line)[1]);
      }
    }
    sink.accept(
        BaseinfoTables.HOST
            .row()
            .label("os_version", osVersion())
            .label("hostname", KernelText.firstLine(proc.resolve("sys/kernel/hostname")))
            .label("kversion", KernelText.firstLine(proc.resolve("sys/kernel/osrelease")))
            .label("cpu_num", cpus)
            .label("memory_MB", memKb / 1024)
            .label("ip_addr", hostIp)
            .label("host_type", isVirtual(proc) ? "vm" : "physical")
            .label("clock_ticks", 100)
            .label("os_btime", btime)
            .set(
                "uptime_seconds",
                Double.parseDouble(
                    KernelText.fields(KernelText.firstLine(proc.resolve("uptime")))[0]))
            .set("value", 1)
            .build());
  }

  /**
   * PRETTY_NAME of os-release(5): /etc/os-release, else /usr/lib/os-release; "" when neither
   * exists.
   */
  private String osVersion() throws IOException {
    for (String file : List.of("etc/os-release", "usr/lib/os-release")) {
      Path p = root.resolve(file);
      if (Files.exists(p)) {
        for (String line : KernelText.lines(p)) {
          if (line.startsWith("PRETTY_NAME=")) {
            return line.substring(12).replaceAll("^[\"']|[\"']$", "");
          }
        }
      }
    }
    return "";
  }

  private boolean isVirtual(Path proc) throws IOException {
    Path cpuinfo = proc.resolve("cpuinfo");
    if (Files.exists(cpuinfo)) {
      for (String line : KernelText.lines(cpuinfo)) {
        if (line.startsWith("flags") && List.of(KernelText.fields(line)).contains("hypervisor")) {
          return true;
        }
      }
    }
    String dmi =
        (KernelText.firstLine(root.resolve("sys/class/dmi/id/sys_vendor"))
                + " "
                + KernelText.firstLine(root.resolve("sys/class/dmi/id/product_name")))
            .toLowerCase(Locale.ROOT);
    return VM_VENDORS.stream().anyMatch(dmi::contains)
        || Files.exists(root.resolve("sys/hypervisor/type"));
  }
}
