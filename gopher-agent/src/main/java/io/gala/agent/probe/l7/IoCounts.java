package io.gala.agent.probe.l7;

/**
 * Bytes and I/O calls in each direction, cumulative: a connection's while detecting, a link's
 * after.
 */
final class IoCounts {
  long bytesSent;
  long bytesRecv;
  long segsSent;
  long segsRecv;

  void add(boolean sent, long bytes) {
    if (sent) {
      bytesSent += bytes;
      segsSent++;
    } else {
      bytesRecv += bytes;
      segsRecv++;
    }
  }

  void addAll(IoCounts other) {
    bytesSent += other.bytesSent;
    bytesRecv += other.bytesRecv;
    segsSent += other.segsSent;
    segsRecv += other.segsRecv;
  }
}
