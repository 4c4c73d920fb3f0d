package io.gala.server.topology;

/**
 * A directed relation between two entity ids. {@code detail} tells edges of the same type between
 * the same ends apart: the server port of a {@code connect}, {@code server_ip:server_port} of an
 * {@code is_peer}, "" otherwise.
 */
public record Edge(Relation type, String from, String to, String detail) {
  /** The identity of the edge within a snapshot. */
  public String key() {
    return type.label() + '|' + from + '|' + to + '|' + detail;
  }
}
