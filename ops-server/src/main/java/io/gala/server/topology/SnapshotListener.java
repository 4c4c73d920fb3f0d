package io.gala.server.topology;

/** Told about each snapshot taken, e.g. to export the topology as metrics. */
public interface SnapshotListener {
  void taken(Snapshot snapshot, long buildNanos);
}
