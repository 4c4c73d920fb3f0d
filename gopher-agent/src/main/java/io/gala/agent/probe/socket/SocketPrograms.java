package io.gala.agent.probe.socket;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.ToIntFunction;

/**
 * Which variant of socket.bpf.c's programs fits the running kernel, from the argument lists of its
 * tracepoints: {@code kfree_skb} gained the drop reason in 5.17 and the receiving socket in 6.11,
 * {@code tcp_retransmit_skb} the error of the attempt in 6.13.
 */
final class SocketPrograms {
  static final String KFREE_SKB_WITH_SOCKET = "handle_kfree_skb_sk";
  static final String KFREE_SKB = "handle_kfree_skb";
  static final String RETRANSMIT_WITH_ERROR = "handle_retransmit_skb_err";
  static final String RETRANSMIT = "handle_retransmit_skb";
  static final Set<String> OPTIONAL = Set.of(KFREE_SKB_WITH_SOCKET, KFREE_SKB);

  private SocketPrograms() {}

  /** Programs to disable before load, given each tracepoint's argument count (-1 when absent). */
  static List<String> toDisable(ToIntFunction<String> argCount) {
    List<String> off = new ArrayList<>();
    int kfree = argCount.applyAsInt("kfree_skb");
    if (kfree < 4) {
      off.add(KFREE_SKB_WITH_SOCKET);
    }
    if (kfree != 3) {
      // 4 args: the variant with the socket is better; 2 (5.10): no drop reason, nothing to count.
      off.add(KFREE_SKB);
    }
    off.add(argCount.applyAsInt("tcp_retransmit_skb") >= 3 ? RETRANSMIT : RETRANSMIT_WITH_ERROR);
    return off;
  }
}
