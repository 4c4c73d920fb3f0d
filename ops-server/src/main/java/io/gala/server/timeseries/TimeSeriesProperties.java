package io.gala.server.timeseries;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code gala.timeseries.*}: the in-memory window of recent samples.
 *
 * @param retention how far back the window reaches (older points are overwritten, silent series
 *     dropped)
 * @param step resolution: at most one point per series per step
 * @param maxSeries new series beyond this are refused and counted
 */
@ConfigurationProperties(prefix = "gala.timeseries", ignoreUnknownFields = false)
public record TimeSeriesProperties(
    @DefaultValue("30m") Duration retention,
    @DefaultValue("15s") Duration step,
    @DefaultValue("1000000") int maxSeries) {}
