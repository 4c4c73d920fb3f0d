package io.gala.agent.export;

/**
 * Receives each completed {@link Sample} on the sampler thread: the Prometheus exporter, the Kafka
 * producer, the sub-health event checks. Must return quickly and never block on I/O.
 */
@FunctionalInterface
public interface SampleListener {
  void onSample(Sample sample);
}
