package io.gala.server.topology;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The views of gala-spider: {@code host} (hosts and how they connect), {@code process} (what runs
 * where, what talks to what, what is stored where) and {@code rpc} (everything, down to each
 * connection).
 */
public enum Level {
  HOST(EnumSet.of(EntityType.HOST), EnumSet.of(Relation.CONNECT, Relation.STORE_IN)),
  PROCESS(
      EnumSet.of(
          EntityType.HOST,
          EntityType.CONTAINER,
          EntityType.POD,
          EntityType.APPINSTANCE,
          EntityType.PROC,
          EntityType.BLOCK,
          EntityType.DISK,
          EntityType.NIC,
          EntityType.CPU,
          EntityType.FS),
      EnumSet.of(Relation.RUNS_ON, Relation.BELONGS_TO, Relation.CONNECT, Relation.STORE_IN)),
  RPC(EnumSet.allOf(EntityType.class), EnumSet.allOf(Relation.class));

  private final Set<EntityType> types;
  private final Set<Relation> relations;

  Level(Set<EntityType> types, Set<Relation> relations) {
    this.types = types;
    this.relations = relations;
  }

  public boolean includes(EntityType t) {
    return types.contains(t);
  }

  public boolean includes(Relation r) {
    return relations.contains(r);
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses host|process|rpc (case-insensitive); null when unknown. */
  public static Level parse(String s) {
    for (Level l : values()) {
      if (l.label().equalsIgnoreCase(s)) {
        return l;
      }
    }
    return null;
  }
}
