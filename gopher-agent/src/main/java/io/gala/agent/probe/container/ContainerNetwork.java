package io.gala.agent.probe.container;

import io.gala.agent.probe.Scope;
import io.gala.agent.probe.baseinfo.NetDev;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A container's network counters: the interfaces of its network namespace (all but {@code lo}),
 * seen through {@code /proc/<pid>/net/dev} of one of its processes. A container that shares the
 * host's namespace gets none: its traffic is the host's, in the {@code nic} table.
 */
final class ContainerNetwork {
  /**
   * In the order of {@link NetDev#counters()}; cAdvisor's names, as gala-gopher's
   * container_network.
   */
  static final String[] METRICS = {
    "network_receive_bytes_total",
    "network_receive_packets_total",
    "network_receive_errors_total",
    "network_receive_packets_dropped_total",
    "network_transmit_bytes_total",
    "network_transmit_packets_total",
    "network_transmit_errors_total",
    "network_transmit_packets_dropped_total"
  };

  private final Path proc;
  private final long hostNetns;

  ContainerNetwork(Path proc) {
    this.proc = proc;
    this.hostNetns = netnsOf(1);
  }

  /** Network namespace inode of a process, 0 when it is gone or unreadable. */
  long netnsOf(long pid) {
    return Scope.inode(proc.resolve(pid + "/ns/net"));
  }

  void read(List<Long> pids, CgroupValues v) {
    for (long pid : pids) {
      long ns = netnsOf(pid);
      if (ns == 0) {
        continue; // exited since cgroup.procs was read
      }
      if (ns == hostNetns) {
        return;
      }
      long[] sum = new long[8];
      try {
        for (NetDev d : NetDev.read(proc.resolve(pid + "/net/dev"))) {
          if (!d.name().equals("lo")) {
            long[] c = d.counters();
            for (int i = 0; i < c.length; i++) {
              sum[i] += c[i];
            }
          }
        }
      } catch (IOException e) {
        continue; // exited between the two reads: try the next process
      }
      for (int i = 0; i < METRICS.length; i++) {
        v.offer(METRICS[i], sum[i], 1);
      }
      return;
    }
  }
}
