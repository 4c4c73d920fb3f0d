package io.gala.server.timeseries;

/** One sample of a series: the agent's sample time (ms since the epoch) and the value. */
public record Point(long timestampMillis, double value) {}
