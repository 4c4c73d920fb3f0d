package io.gala.server.topology;

import java.util.Locale;
import java.util.Map;

/**
 * gala-spider's entity types. Each has a one-byte code used by the snapshot files (never renumber)
 * and the agent entity names it is built from.
 */
public enum EntityType {
  HOST(1),
  CONTAINER(2),
  POD(3),
  APPINSTANCE(4),
  PROC(5),
  THREAD(6),
  ENDPOINT(7),
  TCP_LINK(8),
  L7(9),
  SLI(10),
  BLOCK(11),
  DISK(12),
  NIC(13),
  CPU(14),
  FS(15),
  QDISC(16);

  private static final Map<String, EntityType> BY_ENTITY_NAME =
      Map.ofEntries(
          Map.entry("host", HOST),
          Map.entry("container", CONTAINER),
          Map.entry("pod", POD),
          Map.entry("proc", PROC),
          Map.entry("thread", THREAD),
          Map.entry("endpoint", ENDPOINT),
          Map.entry("endpoint_tcp", ENDPOINT),
          Map.entry("endpoint_udp", ENDPOINT),
          Map.entry("tcp_link", TCP_LINK),
          Map.entry("l7", L7),
          Map.entry("l7_api", L7),
          Map.entry("sli", SLI),
          Map.entry("block", BLOCK),
          Map.entry("disk", DISK),
          Map.entry("nic", NIC),
          Map.entry("cpu", CPU),
          Map.entry("fs", FS),
          Map.entry("qdisc", QDISC));

  final byte code;

  EntityType(int code) {
    this.code = (byte) code;
  }

  /** The lower-case name used in ids, JSON and metric labels: {@code tcp_link}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The type an agent entity name ({@code tcp_link}, {@code endpoint_tcp}) maps to, or null if
   * none.
   */
  public static EntityType ofEntityName(String entityName) {
    return BY_ENTITY_NAME.get(entityName);
  }

  /** Parses {@link #label()} (case-insensitive); null when unknown. */
  public static EntityType parse(String label) {
    for (EntityType t : values()) {
      if (t.label().equalsIgnoreCase(label)) {
        return t;
      }
    }
    return null;
  }

  static EntityType ofCode(byte code) {
    for (EntityType t : values()) {
      if (t.code == code) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown entity type code " + code);
  }
}
