package io.gala.server.topology;

import io.gala.server.ingest.IngestListener;
import io.gala.server.ingest.IngestedBatch;
import io.gala.server.ingest.IngestedRecord;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps what every agent currently reports and turns it into a {@link Snapshot} on demand. An agent
 * not heard from for {@code agentTimeout} (server clock) ages out with all its entities; an entity
 * not refreshed for {@code entityTtl} (its agent's clock) ages out; an entity whose name is in
 * {@code absentMeansGone} is gone as soon as a newer sample of its kind arrives without it.
 */
public final class TopologyBuilder implements IngestListener {
  private final long agentTimeoutMillis;
  private final long entityTtlMillis;
  private final Set<String> absentMeansGone;
  private final Map<String, HostState> hosts = new ConcurrentHashMap<>();
  private volatile Snapshot previous = Snapshot.empty(0);

  public TopologyBuilder(Duration agentTimeout, Duration entityTtl, Set<String> absentMeansGone) {
    this.agentTimeoutMillis = agentTimeout.toMillis();
    this.entityTtlMillis = entityTtl.toMillis();
    this.absentMeansGone = Set.copyOf(absentMeansGone);
  }

  /**
   * Defaults: agents silent for 60 s and entities not refreshed for 60 s age out; closed tcp_links
   * at once.
   */
  public static TopologyBuilder withDefaults() {
    return new TopologyBuilder(Duration.ofSeconds(60), Duration.ofSeconds(60), Set.of("tcp_link"));
  }

  @Override
  public void ingest(IngestedBatch batch, long receivedAtMillis) {
    HostState host = hosts.computeIfAbsent(batch.machineId(), HostState::new);
    host.heard(receivedAtMillis);
    for (IngestedRecord r : batch.records()) {
      EntityType type = EntityType.ofEntityName(r.entity());
      if (type != null) {
        host.observe(r, type, receivedAtMillis);
      }
    }
    if (!batch.records().isEmpty()) {
      host.partArrived(batch.sampleMillis(), batch.parts());
    }
  }

  /**
   * The topology now: every live agent's present entities and their relations. Agents silent for
   * longer than the timeout are forgotten here.
   */
  public Snapshot snapshot(long nowMillis) {
    Map<String, List<Observation>> byMachine = new TreeMap<>();
    for (var it = hosts.values().iterator(); it.hasNext(); ) {
      HostState h = it.next();
      if (nowMillis - h.lastReceivedMillis() > agentTimeoutMillis) {
        it.remove();
        continue;
      }
      byMachine.put(h.machineId, h.present(entityTtlMillis, absentMeansGone));
    }
    Snapshot s = new SnapshotAssembler(previous).assemble(nowMillis, byMachine);
    previous = s;
    return s;
  }

  /**
   * Lets the next snapshot share unchanged nodes with this one (e.g. the last one loaded after a
   * restart).
   */
  public void continueFrom(Snapshot last) {
    previous = last;
  }

  /** Agents currently considered alive. */
  public int liveAgents() {
    return hosts.size();
  }

  /** Entities held for all agents, present or not yet aged out. */
  public int trackedEntities() {
    return hosts.values().stream().mapToInt(HostState::size).sum();
  }
}
