package io.gala.server.topology;

import java.util.Map;

/**
 * An entity in a snapshot: gala entity id, type, the agent it comes from and its descriptive
 * attributes (key and label fields, never metric values, so that a node changes only when what it
 * is changes). Immutable; equal nodes of consecutive snapshots are one shared instance.
 */
public record Node(String id, EntityType type, String machineId, Map<String, String> attributes) {
  public Node {
    attributes = Map.copyOf(attributes);
  }

  public String attribute(String name) {
    return attributes.getOrDefault(name, "");
  }
}
