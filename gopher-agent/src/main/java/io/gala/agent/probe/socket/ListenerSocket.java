package io.gala.agent.probe.socket;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * One listening socket as the iter/tcp program {@code dump_listeners} saw it at a read (C {@code
 * struct listener_record}): its address, inode, drop counter and queues.
 */
record ListenerSocket(
    ListenAddress address,
    long ino,
    long drops,
    long acceptQueue,
    long acceptQueueLimit,
    long synQueue) {
  static final int SIZE = 56;

  /** Every record of one iterator read (a native-order buffer, as BpfIterator returns it). */
  static List<ListenerSocket> parseAll(ByteBuffer b) {
    if (b.remaining() % SIZE != 0) {
      throw new IllegalStateException(
          "iter/tcp dump_listeners wrote "
              + b.remaining()
              + " bytes, not a multiple of struct listener_record ("
              + SIZE
              + "): socket.bpf.o and the agent differ");
    }
    Layouts.ListenerRecord r = Layouts.LISTENER_RECORD;
    List<ListenerSocket> out = new ArrayList<>(b.remaining() / SIZE);
    for (int at = b.position(); at < b.limit(); at += SIZE) {
      out.add(
          new ListenerSocket(
              ListenAddress.read(b, at + (int) r.key.offset()),
              b.getLong(at + (int) r.ino.offset()),
              b.getLong(at + (int) r.drops.offset()),
              b.getInt(at + (int) r.ack_backlog.offset()) & 0xffffffffL,
              b.getInt(at + (int) r.max_ack_backlog.offset()) & 0xffffffffL,
              b.getInt(at + (int) r.syn_qlen.offset()) & 0xffffffffL));
    }
    return out;
  }
}
