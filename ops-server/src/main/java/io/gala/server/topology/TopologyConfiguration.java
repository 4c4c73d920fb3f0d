package io.gala.server.topology;

import java.io.IOException;
import java.util.List;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wires the topology: builder (an ingest listener), persisted history and the snapshot schedule.
 */
@Configuration(proxyBeanMethods = false)
class TopologyConfiguration {

  @Bean
  TopologyBuilder topologyBuilder(TopologyProperties p) {
    return new TopologyBuilder(p.agentTimeout(), p.entityTtl(), p.absentMeansGone());
  }

  @Bean(destroyMethod = "close")
  SnapshotHistory snapshotHistory(TopologyProperties p) throws IOException {
    if (!p.persistent()) {
      return SnapshotHistory.inMemory(p.history(), p.checkpointEvery());
    }
    try {
      return SnapshotHistory.open(p.dataPath(), p.history(), p.checkpointEvery());
    } catch (IOException e) {
      throw new IOException(
          "cannot open the topology history under "
              + p.dataPath().toAbsolutePath()
              + ": check that the directory is writable, or set gala.topology.data-dir",
          e);
    }
  }

  @Bean(destroyMethod = "close")
  SnapshotTaker snapshotTaker(
      TopologyBuilder builder, SnapshotHistory history, List<SnapshotListener> listeners) {
    return new SnapshotTaker(builder, history, listeners, System::currentTimeMillis);
  }

  /** Starts snapshots with the application and stops them before the history closes. */
  @Bean
  SmartLifecycle snapshotSchedule(SnapshotTaker taker, TopologyProperties p) {
    return new SmartLifecycle() {
      private volatile boolean running;

      @Override
      public void start() {
        taker.start(p.startupGrace().toMillis(), p.snapshotPeriod().toMillis());
        running = true;
      }

      @Override
      public void stop() {
        taker.close();
        running = false;
      }

      @Override
      public boolean isRunning() {
        return running;
      }
    };
  }
}
