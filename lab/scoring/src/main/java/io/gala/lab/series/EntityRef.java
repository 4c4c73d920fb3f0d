package io.gala.lab.series;

import io.gala.transport.EntityIds;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An entity as the platform names it: its gala-ops id ({@code
 * <machine_id>_<entity>_<key1>_..._<keyN>}), machine, entity type (the table's entity name) and
 * keys in declaration order; the labels seen first travel along (comm, container_id, ...) for
 * matching against the ground truth.
 */
public record EntityRef(
    String id,
    String machineId,
    String entity,
    Map<String, String> keys,
    Map<String, String> labels) {

  public static EntityRef of(
      String machineId, String entity, Map<String, String> keys, Map<String, String> labels) {
    Map<String, String> k = Collections.unmodifiableMap(new LinkedHashMap<>(keys));
    return new EntityRef(
        EntityIds.entityId(machineId, entity, List.copyOf(k.values())),
        machineId,
        entity,
        k,
        Collections.unmodifiableMap(new LinkedHashMap<>(labels)));
  }
}
