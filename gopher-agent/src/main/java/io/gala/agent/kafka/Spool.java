package io.gala.agent.kafka;

import io.gala.transport.Topics;
import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.Map;

/**
 * The bounded buffer in front of the producer: records wait here while the brokers are unreachable
 * or hung, and stay counted here until the brokers acknowledge them, so that the capacity is
 * exactly what the transport promises to deliver. When an offer does not fit, the oldest records
 * not yet handed to the producer are dropped and counted. At most {@code inflightLimit} bytes are
 * handed to the producer at a time, so that the rest can always be dropped oldest first.
 * Thread-safe: the sampler offers, the sender takes, the producer's I/O thread acknowledges.
 */
final class Spool {
  private final String name;
  private final long capacityBytes;
  private final long inflightLimitBytes;
  private final Runnable onChange;
  private final ArrayDeque<Outgoing> pending = new ArrayDeque<>();
  private long pendingBytes;
  private long inflightBytes;
  private int inflight;
  private long sentBatches;
  private long sentRecords;
  private long sentBytes;
  private final Map<Topics.Stream, long[]> dropped = new EnumMap<>(Topics.Stream.class);

  /**
   * @param onChange called (outside the lock) after an offer or an acknowledgement, to wake the
   *     sender
   */
  Spool(String name, long capacityBytes, long inflightLimitBytes, Runnable onChange) {
    this.name = name;
    this.capacityBytes = capacityBytes;
    this.inflightLimitBytes = Math.min(inflightLimitBytes, capacityBytes);
    this.onChange = onChange;
    for (Topics.Stream s : Topics.Stream.values()) {
      dropped.put(s, new long[2]);
    }
  }

  /**
   * Adds a record at the tail, dropping the oldest waiting ones when it would not fit. Never
   * blocks.
   */
  void offer(Outgoing o) {
    synchronized (this) {
      long size = o.size();
      while (pendingBytes + inflightBytes + size > capacityBytes && !pending.isEmpty()) {
        Outgoing oldest = pending.pollFirst();
        pendingBytes -= oldest.size();
        countDrop(oldest);
      }
      if (pendingBytes + inflightBytes + size > capacityBytes) {
        countDrop(o);
        return;
      }
      pending.addLast(o);
      pendingBytes += size;
    }
    onChange.run();
  }

  /**
   * The oldest waiting record, now counted in flight; null when none or the in-flight limit is
   * reached.
   */
  synchronized Outgoing poll() {
    Outgoing head = pending.peekFirst();
    if (head == null || (inflight > 0 && inflightBytes + head.size() > inflightLimitBytes)) {
      return null;
    }
    pending.pollFirst();
    pendingBytes -= head.size();
    inflightBytes += head.size();
    inflight++;
    return head;
  }

  /** A record the producer refused before accepting it goes back to the head, to be sent first. */
  synchronized void giveBack(Outgoing o) {
    inflight--;
    inflightBytes -= o.size();
    pending.addFirst(o);
    pendingBytes += o.size();
  }

  /** The brokers acknowledged it. */
  void delivered(Outgoing o) {
    synchronized (this) {
      inflight--;
      inflightBytes -= o.size();
      sentBatches++;
      sentRecords += o.records();
      sentBytes += o.key().length + o.value().length;
    }
    onChange.run();
  }

  /** The producer gave it up: lost, counted as dropped. */
  void lost(Outgoing o) {
    synchronized (this) {
      inflight--;
      inflightBytes -= o.size();
      countDrop(o);
    }
    onChange.run();
  }

  /** Everything still waiting is given up (shutdown without a disk spool); returns how many. */
  synchronized int dropPending() {
    int n = pending.size();
    for (Outgoing o : pending) {
      countDrop(o);
    }
    pending.clear();
    pendingBytes = 0;
    return n;
  }

  private void countDrop(Outgoing o) {
    long[] d = dropped.get(o.stream());
    d[0]++;
    d[1] += o.records();
  }

  String name() {
    return name;
  }

  synchronized boolean isEmpty() {
    return pending.isEmpty() && inflight == 0;
  }

  synchronized int batches() {
    return pending.size() + inflight;
  }

  synchronized long bytes() {
    return pendingBytes + inflightBytes;
  }

  synchronized int inflight() {
    return inflight;
  }

  synchronized long sentBatches() {
    return sentBatches;
  }

  synchronized long sentRecords() {
    return sentRecords;
  }

  synchronized long sentBytes() {
    return sentBytes;
  }

  /** Kafka records (protobuf batches or JSON objects) of a stream dropped or lost. */
  synchronized long droppedBatches(Topics.Stream s) {
    return dropped.get(s)[0];
  }

  /** Rows (or events) in them. */
  synchronized long droppedRecords(Topics.Stream s) {
    return dropped.get(s)[1];
  }

  long capacityBytes() {
    return capacityBytes;
  }
}
