package io.gala.server.topology;

import java.util.Map;

/**
 * An entity as an agent last described it: type, agent entity name, gala id and its merged key and
 * label fields. Immutable, replaced only when a field changes, so snapshots read it without locks.
 */
record Observation(
    String id, EntityType type, String entityName, String machineId, Map<String, String> fields) {
  String field(String name) {
    return fields.getOrDefault(name, "");
  }
}
