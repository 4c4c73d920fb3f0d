package io.gala.agent;

import io.gala.agent.probe.ProbeSpec;
import io.gala.agent.probe.ProbeSpec.ParamSpec;
import io.gala.agent.probe.baseinfo.BaseinfoProbe;
import io.gala.agent.probe.container.ContainerProbe;
import io.gala.agent.probe.io.IoProbe;
import io.gala.agent.probe.l7.L7Probe;
import io.gala.agent.probe.proc.ProcProbe;
import io.gala.agent.probe.socket.SocketProbe;
import io.gala.agent.probe.tcp.TcpProbe;
import java.util.List;
import java.util.Set;

/** Every probe the agent can run, by gala-ops name. Adding a probe = one line here. */
final class ProbeCatalog {
  private ProbeCatalog() {}

  static List<ProbeSpec> all() {
    return List.of(
        ProbeSpec.of("baseinfo", BaseinfoProbe::new, Set.of()),
        ProbeSpec.of(
            "container", ContainerProbe::new, Set.of(), ParamSpec.text("cgroup_prefixes", 1024)),
        IoProbe.spec(),
        ProbeSpec.of(
            "proc",
            ProcProbe::new,
            Set.of("proc_syscall"),
            ParamSpec.number("max_procs", 1024, 1 << 20)),
        L7Probe.spec(),
        SocketProbe.spec(),
        TcpProbe.spec());
  }
}
