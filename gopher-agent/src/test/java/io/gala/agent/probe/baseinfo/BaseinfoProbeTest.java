package io.gala.agent.probe.baseinfo;

import static org.assertj.core.api.Assertions.assertThat;

import io.gala.agent.probe.Identity;
import io.gala.agent.probe.ProbeConfig;
import io.gala.agent.probe.ProbeContext;
import io.gala.agent.probe.ProcessLabels;
import io.gala.agent.probe.Scope;
import io.gala.agent.table.Row;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The live machine against its own tools: df for file systems. */
class BaseinfoProbeTest {
  @Test
  void fileSystemUseMatchesDf() throws Exception {
    BaseinfoProbe probe = new BaseinfoProbe();
    probe.start(new ProbeContext(new Identity("m", "10.0.0.1"), Scope.HOST, ProbeConfig.stopped(), new ProcessLabels()));
    List<Row> rows = new ArrayList<>();
    probe.sample(rows::add);
    Process df = new ProcessBuilder("df", "--output=target,pcent,iused", "/").start();
    String[] line = new String(df.getInputStream().readAllBytes()).strip().split("\n")[1].trim().split("\\s+");
    df.waitFor();
    Row root = rows.stream().filter(r -> r.table().name().equals("fs") && r.key("MountOn").equals("/")).findFirst()
        .orElseThrow(() -> new AssertionError("no fs row for /"));
    assertThat(root.value("UsePer")).isEqualTo(Double.parseDouble(line[1].replace("%", "")));
    assertThat(root.value("IUsed")).isCloseTo(Double.parseDouble(line[2]), org.assertj.core.api.Assertions.within(1000.0));
    assertThat(rows).anyMatch(r -> r.table().name().equals("host") && r.label("ip_addr").equals("10.0.0.1"));
    assertThat(rows).anyMatch(r -> r.table().name().equals("nic") && r.key("dev_name").equals("lo"));
  }
}
