package io.gala.agent.export;

import io.gala.agent.probe.Identity;
import io.gala.agent.table.Row;
import java.util.List;

/**
 * Everything the probes emitted in one sample period: the rows of every running probe, stamped with
 * the sample time (milliseconds since the epoch), the node identity and the agent's start time.
 */
public record Sample(
    long timestampMillis, Identity identity, long agentStartMillis, List<Row> rows) {
  public Sample {
    rows = List.copyOf(rows);
  }
}
