package io.gala.agent.probe;

import io.gala.agent.export.Sample;
import io.gala.agent.export.SampleListener;
import io.gala.agent.table.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Reads every running probe once per sample period on one thread and hands the completed {@link
 * Sample} to the listeners (exporter, Kafka, events). Extra row sources add the agent's own health
 * rows (transport queue, HTTP servers) to each sample.
 */
public final class Sampler implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Sampler.class.getName());

  private final ProbeManager probes;
  private final Identity identity;
  private final long periodMillis;
  private final long startMillis = System.currentTimeMillis();
  private final List<SampleListener> listeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<Consumer<Row>>> extraSources = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService thread =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "sampler");
            t.setDaemon(true);
            return t;
          });

  public Sampler(ProbeManager probes, Identity identity, long periodMillis) {
    this.probes = probes;
    this.identity = identity;
    this.periodMillis = periodMillis;
  }

  public void addListener(SampleListener l) {
    listeners.add(l);
  }

  /** A source of extra rows (agent self-metrics) called once per sample. */
  public void addRowSource(Consumer<Consumer<Row>> source) {
    extraSources.add(source);
  }

  public long startMillis() {
    return startMillis;
  }

  public void start() {
    // Aligned to the period so that agents on several hosts sample at the same instants.
    long delay = periodMillis - System.currentTimeMillis() % periodMillis;
    thread.scheduleAtFixedRate(this::sampleSafely, delay, periodMillis, TimeUnit.MILLISECONDS);
  }

  /** Takes one sample now on the caller's thread (tests, shutdown flush). */
  public Sample sampleNow() {
    long ts = System.currentTimeMillis();
    List<Row> rows = new ArrayList<>();
    probes.sampleAll(rows::add);
    for (Consumer<Consumer<Row>> s : extraSources) {
      s.accept(rows::add);
    }
    Sample sample = new Sample(ts, identity, startMillis, rows);
    for (SampleListener l : listeners) {
      try {
        l.onSample(sample);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "sample listener " + l.getClass().getSimpleName() + " failed", e);
      }
    }
    return sample;
  }

  private void sampleSafely() {
    try {
      sampleNow();
    } catch (Throwable e) {
      // A scheduled task that throws is never run again: log and keep sampling.
      LOG.log(Level.SEVERE, "sample failed", e);
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
    try {
      thread.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
