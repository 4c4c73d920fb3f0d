package io.gala.server.timeseries;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the time-series window (an ingest listener) and its periodic eviction of silent series. */
@Configuration(proxyBeanMethods = false)
class TimeSeriesConfiguration {

  @Bean
  TimeSeriesWindow timeSeriesWindow(TimeSeriesProperties p) {
    return new TimeSeriesWindow(p.retention(), p.step(), p.maxSeries());
  }

  @Bean(destroyMethod = "shutdownNow")
  ScheduledExecutorService timeSeriesEviction(TimeSeriesWindow window, TimeSeriesProperties p) {
    ScheduledExecutorService s =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "timeseries-evict");
              t.setDaemon(true);
              return t;
            });
    long every = Math.max(1000, p.step().toMillis());
    s.scheduleWithFixedDelay(
        () -> {
          try {
            window.evict(System.currentTimeMillis());
          } catch (RuntimeException e) {
            // A failed sweep must not cancel the schedule: the next one retries.
            org.slf4j.LoggerFactory.getLogger(TimeSeriesConfiguration.class)
                .error("time-series eviction failed", e);
          }
        },
        every,
        every,
        TimeUnit.MILLISECONDS);
    return s;
  }
}
