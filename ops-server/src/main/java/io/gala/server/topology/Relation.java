package io.gala.server.topology;

import java.util.Locale;

/**
 * gala-spider's relation types, each with a one-byte code for the snapshot files (never renumber).
 * {@code runs_on}: proc/container/pod/appinstance -> host; {@code belongs_to}: part -> whole
 * (tcp_link -> proc, proc -> appinstance, block -> disk, ...); {@code is_peer}: client tcp_link ->
 * server tcp_link of the same connection; {@code connect}: is_peer lifted to proc, appinstance,
 * container and host; {@code store_in}: host -> the host its remote file system lives on.
 */
public enum Relation {
  RUNS_ON(1),
  BELONGS_TO(2),
  IS_PEER(3),
  CONNECT(4),
  STORE_IN(5);

  final byte code;

  Relation(int code) {
    this.code = (byte) code;
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  static Relation ofCode(byte code) {
    for (Relation r : values()) {
      if (r.code == code) {
        return r;
      }
    }
    throw new IllegalArgumentException("unknown relation code " + code);
  }
}
