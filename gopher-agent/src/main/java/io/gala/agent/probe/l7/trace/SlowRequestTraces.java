package io.gala.agent.probe.l7.trace;

import io.gala.agent.event.SubHealthEvent;
import io.gala.agent.export.Sample;
import io.gala.agent.export.SampleListener;
import io.gala.agent.probe.l7.SlowRequest;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Sends the l7 probe's slowest requests of each period on, once per sample (after the probes were
 * read, when the period's list is complete): into a {@link SlowRequestLog} for {@code GET
 * /l7/slow_requests}, as events to Kafka when the transport is on, and as OTLP spans when an
 * endpoint is configured. A period the probe did not complete (stopped, or its sample failed) is
 * not sent twice.
 *
 * <pre>{@code
 * SlowRequestTraces traces = new SlowRequestTraces(l7::slowRequests, kafka::publish, spans);
 * sampler.addListener(traces);
 * control.addView("/l7/slow_requests", traces::json);
 * }</pre>
 */
public final class SlowRequestTraces implements SampleListener, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(SlowRequestTraces.class.getName());

  /** A minute of 5 s periods. */
  static final int PERIODS = 12;

  /** The l7 probe's own limit (param slow_requests at most 1000). */
  static final int PER_PERIOD = 1000;

  private final Supplier<List<SlowRequest>> source;
  private final Consumer<List<SubHealthEvent>> events;
  private final OtlpSpans spans;
  private final SlowRequestLog log = new SlowRequestLog(PERIODS, PER_PERIOD);
  private List<SlowRequest> previous = List.of();

  /**
   * @param source the slowest requests of the period that just ended (empty when l7 is not running)
   * @param events where events go (the Kafka exporter), or null
   * @param spans the OTLP span exporter, or null
   */
  public SlowRequestTraces(
      Supplier<List<SlowRequest>> source, Consumer<List<SubHealthEvent>> events, OtlpSpans spans) {
    this.source = source;
    this.events = events;
    this.spans = spans;
  }

  @Override
  public void onSample(Sample sample) {
    List<SlowRequest> requests = source.get();
    synchronized (this) {
      // The probe hands out a new list at each period's end: the same list again is a period not
      // ended.
      if (requests == previous || requests.isEmpty()) {
        previous = requests;
        return;
      }
      previous = requests;
    }
    List<SlowRequest> kept =
        requests.size() > PER_PERIOD ? requests.subList(0, PER_PERIOD) : requests;
    log.add(sample.timestampMillis(), kept);
    if (events != null) {
      events.accept(SlowRequestEvents.of(sample.identity().machineId(), kept));
    }
    if (spans != null) {
      try {
        spans.emit(kept);
      } catch (RuntimeException e) {
        LOG.log(
            Level.WARNING,
            "l7 slow requests: emitting "
                + kept.size()
                + " spans to "
                + spans.endpoint()
                + " failed",
            e);
      }
    }
  }

  /** The body of {@code GET /l7/slow_requests}. */
  public String json() {
    return SlowRequestJson.periods(log.periods());
  }

  /** Flushes and stops the span exporter, if any. */
  @Override
  public void close() {
    if (spans != null) {
      spans.close();
    }
  }
}
