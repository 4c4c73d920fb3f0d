package io.gala.agent.probe;

import io.gala.agent.table.Row;
import io.gala.agent.table.TableDef;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One probe, one name end to end ({@code tcp}: {@code tcp.bpf.c} -> {@code probe.tcp.TcpProbe} ->
 * table {@code tcp_link} -> REST {@code /tcp}). The agent starts a probe when it is enabled, calls
 * {@link #sample} every sample period on the sampler thread, and closes it when disabled or on
 * shutdown. A probe whose start throws is reported as failed; the others keep running.
 */
public interface Probe extends AutoCloseable {
  /** The probe's name as in gala-ops ({@code tcp}, {@code io}, {@code proc}, ...). */
  String name();

  /** The tables this probe fills, declared as data. */
  List<TableDef> tables();

  /** Loads and attaches the kernel programs (if any) with these settings. */
  void start(ProbeContext context) throws Exception;

  /** Reads the kernel maps or /proc once and emits one row per entity to the sink. */
  void sample(Consumer<Row> sink) throws Exception;

  /**
   * Self-health counters, cumulative: {@code map_full/<map>}, {@code events_lost}, ... Exported as
   * {@code gala_gopher_agent_probe_*} with the probe's name.
   */
  default Map<String, Long> health() {
    return Map.of();
  }

  /** Detaches and frees everything; called once, also after a failed start. */
  @Override
  void close();
}
