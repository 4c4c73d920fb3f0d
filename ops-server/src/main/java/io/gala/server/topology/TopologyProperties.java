package io.gala.server.topology;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code gala.topology.*}: snapshots and their history.
 *
 * @param snapshotPeriod time between snapshots
 * @param history how long snapshots are kept
 * @param checkpointEvery a full snapshot every this many snapshots, deltas in between
 * @param dataDir where the history persists; empty = memory only (lost on restart)
 * @param agentTimeout an agent not heard from for this long ages out with its entities
 * @param entityTtl an entity its agent has not refreshed for this long ages out
 * @param absentMeansGone entity names gone as soon as a complete sample comes without them
 * @param startupGrace wait before the first snapshot after a start, so that every agent reports
 *     once
 */
@ConfigurationProperties(prefix = "gala.topology", ignoreUnknownFields = false)
public record TopologyProperties(
    @DefaultValue("15s") Duration snapshotPeriod,
    @DefaultValue("24h") Duration history,
    @DefaultValue("240") int checkpointEvery,
    @DefaultValue("data/topology") String dataDir,
    @DefaultValue("60s") Duration agentTimeout,
    @DefaultValue("60s") Duration entityTtl,
    @DefaultValue("tcp_link") Set<String> absentMeansGone,
    @DefaultValue("15s") Duration startupGrace) {

  public TopologyProperties {
    if (snapshotPeriod.toMillis() < 1000) {
      throw new IllegalArgumentException(
          "gala.topology.snapshot-period must be at least 1s, was " + snapshotPeriod);
    }
    if (history.compareTo(snapshotPeriod) < 0) {
      throw new IllegalArgumentException(
          "gala.topology.history ("
              + history
              + ") is shorter than one snapshot period ("
              + snapshotPeriod
              + ")");
    }
  }

  /** True when the history persists on disk. */
  public boolean persistent() {
    return dataDir != null && !dataDir.isBlank();
  }

  /** The data directory; only meaningful when {@link #persistent()}. */
  public Path dataPath() {
    return Path.of(dataDir);
  }
}
