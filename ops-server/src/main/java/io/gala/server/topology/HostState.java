package io.gala.server.topology;

import io.gala.server.ingest.IngestedRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one agent currently reports: its entities with the time each was last seen (agent clock),
 * the newest sample time per entity name, and when the server last heard from it (server clock).
 * Guarded by its own lock: one ingest thread writes, the snapshot thread reads.
 */
final class HostState {
  /**
   * Metrics an agent sets to 1 on an entity's final row (a process exited, a connection closed).
   */
  static final java.util.List<String> FINAL_ROW_MARKERS = java.util.List.of("exited", "closed");

  private static final class Live {
    Observation observation;
    long lastSeenMillis;
    boolean finalRow;
  }

  final String machineId;
  private final Map<String, Live> entities = new HashMap<>();
  private final Map<String, Long> newestByEntityName = new HashMap<>();
  private long newestMillis = Long.MIN_VALUE;

  /**
   * The newest sample all of whose parts arrived: only such a sample can show an entity is gone.
   */
  private long completeMillis = Long.MIN_VALUE;

  private final Map<Long, Integer> partsSeen = new HashMap<>();
  private volatile long lastReceivedMillis;

  HostState(String machineId) {
    this.machineId = machineId;
  }

  synchronized void observe(IngestedRecord r, EntityType type, long receivedAtMillis) {
    lastReceivedMillis = receivedAtMillis;
    long t = r.timestampMillis();
    newestMillis = Math.max(newestMillis, t);
    newestByEntityName.merge(r.entity(), t, Math::max);
    String id = r.entityId();
    Live live = entities.get(id);
    if (live == null) {
      live = new Live();
      live.observation = new Observation(id, type, r.entity(), machineId, merged(Map.of(), r));
      entities.put(id, live);
    } else if (changes(live.observation.fields(), r)) {
      Observation o = live.observation;
      live.observation =
          new Observation(id, type, o.entityName(), machineId, merged(o.fields(), r));
    }
    if (t >= live.lastSeenMillis) {
      live.lastSeenMillis = t;
      live.finalRow = isFinal(r);
    }
  }

  private static boolean isFinal(IngestedRecord r) {
    for (String m : FINAL_ROW_MARKERS) {
      Double v = r.values().get(m);
      if (v != null && v == 1.0) {
        return true;
      }
    }
    return false;
  }

  synchronized void heard(long receivedAtMillis) {
    lastReceivedMillis = receivedAtMillis;
  }

  /**
   * Notes that part {@code part} of {@code parts} of the sample at {@code sampleMillis} arrived.
   */
  synchronized void partArrived(long sampleMillis, int parts) {
    if (sampleMillis <= completeMillis) {
      return;
    }
    int seen = parts <= 1 ? 1 : partsSeen.merge(sampleMillis, 1, Integer::sum);
    if (seen >= parts) {
      completeMillis = sampleMillis;
      partsSeen.keySet().removeIf(t -> t <= sampleMillis);
    }
  }

  long lastReceivedMillis() {
    return lastReceivedMillis;
  }

  /**
   * The entities present now, forgetting those not seen for {@code ttlMillis} (agent clock). An
   * entity of an entity name in {@code absentMeansGone} is absent (not returned, kept for a while)
   * as soon as a newer complete sample with that entity name came without it: a closed connection's
   * edge ends at the next snapshot. An entity whose newest row is its final one ({@link
   * #FINAL_ROW_MARKERS}) is gone at once.
   */
  synchronized List<Observation> present(long ttlMillis, Set<String> absentMeansGone) {
    List<Observation> out = new ArrayList<>(entities.size());
    for (var it = entities.values().iterator(); it.hasNext(); ) {
      Live live = it.next();
      if (newestMillis - live.lastSeenMillis > ttlMillis) {
        it.remove();
        continue;
      }
      if (live.finalRow) {
        continue;
      }
      String name = live.observation.entityName();
      if (absentMeansGone.contains(name)
          && live.lastSeenMillis < completeMillis
          && newestByEntityName.get(name) >= completeMillis) {
        continue;
      }
      out.add(live.observation);
    }
    return out;
  }

  synchronized int size() {
    return entities.size();
  }

  private static boolean changes(Map<String, String> fields, IngestedRecord r) {
    return differs(fields, r.keys()) || differs(fields, r.labels());
  }

  private static boolean differs(Map<String, String> fields, Map<String, String> update) {
    for (Map.Entry<String, String> e : update.entrySet()) {
      if (!e.getValue().isEmpty() && !e.getValue().equals(fields.get(e.getKey()))) {
        return true;
      }
    }
    return false;
  }

  /** Old fields updated by the record's non-empty keys and labels (tables of one entity add up). */
  private static Map<String, String> merged(Map<String, String> old, IngestedRecord r) {
    Map<String, String> m = new LinkedHashMap<>(old);
    r.keys()
        .forEach(
            (k, v) -> {
              if (!v.isEmpty()) {
                m.put(k, v);
              }
            });
    r.labels()
        .forEach(
            (k, v) -> {
              if (!v.isEmpty()) {
                m.put(k, v);
              }
            });
    return Map.copyOf(m);
  }
}
