package io.gala.agent;

import io.gala.agent.probe.ProbeManager;
import io.gala.agent.table.TableDef;
import java.util.List;

/** The agent's own self-health tables, for the metrics reference. */
final class AgentTables {
  static final List<TableDef> ALL =
      List.of(
          ProbeManager.AGENT_PROBE,
          ProbeManager.AGENT_PROBE_COUNTER,
          GopherAgent.AGENT_HTTP,
          GopherAgent.AGENT_CONTROL,
          io.gala.agent.kafka.KafkaExporter.AGENT_KAFKA);

  private AgentTables() {}
}
