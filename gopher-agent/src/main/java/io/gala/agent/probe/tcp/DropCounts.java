package io.gala.agent.probe.tcp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import jnr.ffi.Runtime;
import jnr.ffi.Struct;

/**
 * One read of map drops: dropped packets by connection {@link Tuple} and reason name, with the raw
 * keys so that the entries of a closed connection can be deleted once reported.
 */
final class DropCounts {
  private static final TcpDropKeyStruct K = new TcpDropKeyStruct(Runtime.getSystemRuntime());

  /** sizeof(struct tcp_drop_key). */
  static final int KEY_SIZE = Struct.size(K);

  private final DropReasons reasons;
  private final Map<Tuple, Map<String, Long>> byTuple = new HashMap<>();
  private final Map<Tuple, List<byte[]>> keys = new HashMap<>();

  DropCounts(DropReasons reasons) {
    this.reasons = reasons;
  }

  /** Adds one map entry: key as the kernel wrote it (native byte order), value the packet count. */
  void add(byte[] key, long packets) {
    ByteBuffer b = ByteBuffer.wrap(key).order(ByteOrder.nativeOrder());
    int family = TcpRecord.u16(b, 0, K.family);
    Tuple t =
        new Tuple(
            TcpRecord.u32(b, 0, K.netns),
            Tuple.ip(
                family, TcpRecord.bytes(b, (int) K.laddr[0].offset(), TcpRecordStruct.ADDR_LEN)),
            TcpRecord.u16(b, 0, K.lport),
            Tuple.ip(
                family, TcpRecord.bytes(b, (int) K.raddr[0].offset(), TcpRecordStruct.ADDR_LEN)),
            TcpRecord.u16(b, 0, K.rport));
    String reason = reasons.name(TcpRecord.u32(b, 0, K.reason));
    // Two kernel reasons may share a name (UNKNOWN on old kernels): sum them.
    byTuple.computeIfAbsent(t, x -> new TreeMap<>()).merge(reason, packets, Long::sum);
    keys.computeIfAbsent(t, x -> new ArrayList<>()).add(key);
  }

  /** Drops of one connection by reason; empty when it had none. */
  Map<String, Long> of(Tuple t) {
    return byTuple.isEmpty() ? Map.of() : byTuple.getOrDefault(t, Map.of());
  }

  /** The raw map keys of one connection's drops. */
  List<byte[]> keysOf(Tuple t) {
    return keys.getOrDefault(t, List.of());
  }

  int tuples() {
    return byTuple.size();
  }
}
