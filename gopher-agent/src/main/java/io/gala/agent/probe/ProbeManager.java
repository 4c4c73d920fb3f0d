package io.gala.agent.probe;

import io.gala.agent.table.Row;
import io.gala.agent.table.TableDef;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Starts, stops and samples the probes. A probe that fails to start or to sample is reported (log,
 * {@code gala_gopher_agent_probe_*} metrics, REST state "failed" with the reason) and the others
 * keep running. Thread-safe: control requests and the sampler call it concurrently.
 */
public final class ProbeManager implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ProbeManager.class.getName());

  public static final TableDef AGENT_PROBE =
      TableDef.builder("agent_probe")
          .keys("probe")
          .labels("state", "reason")
          .gauge("up", "", "1 when the probe runs, 0 when stopped or failed")
          .gauge("failed", "", "1 when the probe failed to start or its last sample failed")
          .gauge(
              "sample_seconds",
              "seconds",
              "Time the probe's last sample took (map reads and /proc)")
          .counter("sample_errors", "", "Samples of this probe that failed")
          .counter("rows", "", "Rows the probe emitted")
          .build();
  public static final TableDef AGENT_PROBE_COUNTER =
      TableDef.builder("agent_probe_counter")
          .keys("probe", "counter")
          .counter(
              "value",
              "",
              "Probe self-health counter: map_full/<map> (updates lost to a full map), "
                  + "events_lost (ring buffer records dropped), and others named by the probe")
          .build();

  private final Map<String, ProbeSpec> specs = new LinkedHashMap<>();
  private final Map<String, Slot> slots = new LinkedHashMap<>();
  private final ContextFactory contexts;

  /** Makes the context a probe is started with, from its config. */
  @FunctionalInterface
  public interface ContextFactory {
    ProbeContext contextFor(ProbeConfig config);
  }

  private static final class Slot {
    ProbeConfig config = ProbeConfig.stopped();
    ProbeState.Status status = ProbeState.Status.STOPPED;
    String reason = "";
    Probe probe;
    double sampleSeconds = Double.NaN;
    long sampleErrors;
    long rows;
    boolean lastSampleFailed;
  }

  public ProbeManager(List<ProbeSpec> catalog, ContextFactory contexts) {
    for (ProbeSpec spec : catalog) {
      specs.put(spec.name(), spec);
      slots.put(spec.name(), new Slot());
    }
    this.contexts = contexts;
  }

  public Map<String, ProbeSpec> specs() {
    return specs;
  }

  public synchronized ProbeState state(String name) {
    Slot s = slot(name);
    return new ProbeState(s.config, s.status, s.reason);
  }

  /**
   * Applies a validated config: starts, restarts (when the config changed) or stops the probe.
   * Returns the state after; a failed start is a state, not an exception.
   */
  public synchronized ProbeState apply(String name, ProbeConfig config) {
    Slot s = slot(name);
    boolean wasRunning = s.probe != null;
    if (wasRunning && config.running() && config.equals(s.config)) {
      return state(name);
    }
    stopProbe(name, s);
    s.config = config;
    if (config.running()) {
      startProbe(name, s);
    } else {
      s.status = ProbeState.Status.STOPPED;
      s.reason = "";
    }
    return state(name);
  }

  private void startProbe(String name, Slot s) {
    Probe probe = specs.get(name).factory().get();
    try {
      probe.start(contexts.contextFor(s.config));
      s.probe = probe;
      s.status = ProbeState.Status.RUNNING;
      s.reason = "";
      s.lastSampleFailed = false;
      LOG.info(() -> "probe " + name + " started");
    } catch (Throwable e) {
      closeQuietly(name, probe);
      s.status = ProbeState.Status.FAILED;
      s.reason = e.getMessage() == null ? e.toString() : e.getMessage();
      LOG.log(Level.WARNING, "probe " + name + " failed to start: " + s.reason, e);
      if (e instanceof Error err && !(e instanceof LinkageError)) {
        throw err;
      }
    }
  }

  private void stopProbe(String name, Slot s) {
    if (s.probe != null) {
      closeQuietly(name, s.probe);
      s.probe = null;
      LOG.info(() -> "probe " + name + " stopped");
    }
  }

  private static void closeQuietly(String name, Probe probe) {
    try {
      probe.close();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "probe " + name + " did not close cleanly", e);
    }
  }

  /** Samples every running probe into sink, then adds the agent's own probe rows. */
  public synchronized void sampleAll(Consumer<Row> sink) {
    List<Row> self = new ArrayList<>();
    for (Map.Entry<String, Slot> e : slots.entrySet()) {
      String name = e.getKey();
      Slot s = e.getValue();
      if (s.probe != null) {
        sampleOne(name, s, sink);
        s.probe
            .health()
            .forEach(
                (counter, value) ->
                    self.add(
                        AGENT_PROBE_COUNTER
                            .row()
                            .key("probe", name)
                            .key("counter", counter)
                            .set("value", value)
                            .build()));
      }
      self.add(
          AGENT_PROBE
              .row()
              .key("probe", name)
              .label("state", s.status.json())
              .label("reason", s.reason)
              .set("up", s.status == ProbeState.Status.RUNNING ? 1 : 0)
              .set("failed", s.status == ProbeState.Status.FAILED || s.lastSampleFailed ? 1 : 0)
              .set("sample_seconds", s.sampleSeconds)
              .set("sample_errors", s.sampleErrors)
              .set("rows", s.rows)
              .build());
    }
    self.forEach(sink);
  }

  private void sampleOne(String name, Slot s, Consumer<Row> sink) {
    long t0 = System.nanoTime();
    long[] count = new long[1];
    try {
      s.probe.sample(
          row -> {
            count[0]++;
            sink.accept(row);
          });
      s.lastSampleFailed = false;
    } catch (Exception | LinkageError e) {
      s.sampleErrors++;
      s.lastSampleFailed = true;
      if (s.sampleErrors <= 5 || s.sampleErrors % 100 == 0) {
        LOG.log(Level.WARNING, "probe " + name + ": sample " + s.sampleErrors + " failed", e);
      }
    }
    s.rows += count[0];
    s.sampleSeconds = (System.nanoTime() - t0) / 1e9;
  }

  /**
   * The probe of this name while it runs, else null (stopped, failed, or not in the catalog): for
   * the outputs a probe has beside its rows, such as l7's slow requests.
   */
  public synchronized Probe running(String name) {
    Slot s = slots.get(name);
    return s == null ? null : s.probe;
  }

  private Slot slot(String name) {
    Slot s = slots.get(name);
    if (s == null) {
      throw new IllegalArgumentException("no probe " + name + "; known: " + slots.keySet());
    }
    return s;
  }

  /** Stops every probe (detaching all programs). */
  @Override
  public synchronized void close() {
    slots.forEach((name, s) -> stopProbe(name, s));
  }
}
