package io.gala.agent.probe.socket;

import static org.assertj.core.api.Assertions.assertThat;

import io.gala.agent.probe.socket.SynDropSplit.Shares;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SynDropSplitTest {
  private static final long NS = 4026531840L;

  @Test
  void oneListenerGetsTheNamespaceOverflowsLessThoseAtTheFinalAck() {
    SynDropSplit split = new SynDropSplit();
    split.split(NS, new Netstat(100, 7), 0, Map.of());
    // 50 new overflows in the namespace, 10 of them at the final ACK; the listener dropped 45 SYNs.
    Map<String, Shares> s = split.split(NS, new Netstat(150, 7), 10, Map.of("l", 45L));
    assertThat(s.get("l")).isEqualTo(new Shares(40, 0, 5));
  }

  @Test
  void synQueueDropsAreSplitAfterTheOverflows() {
    SynDropSplit split = new SynDropSplit();
    split.split(NS, new Netstat(0, 0), 0, Map.of());
    Map<String, Shares> s = split.split(NS, new Netstat(3, 5), 0, Map.of("l", 9L));
    assertThat(s.get("l")).isEqualTo(new Shares(3, 5, 1));
  }

  @Test
  void severalListenersShareInProportionToTheirDropsAndSumExactly() {
    SynDropSplit split = new SynDropSplit();
    split.split(NS, new Netstat(0, 0), 0, Map.of());
    Map<String, Long> drops = new LinkedHashMap<>();
    drops.put("a", 10L);
    drops.put("b", 20L);
    drops.put("c", 1L);
    Map<String, Shares> s = split.split(NS, new Netstat(20, 0), 0, drops);
    assertThat(s.values().stream().mapToLong(Shares::acceptOverflow).sum()).isEqualTo(20);
    assertThat(s.get("b").acceptOverflow()).isGreaterThan(s.get("a").acceptOverflow());
    s.forEach(
        (k, v) ->
            assertThat(v.acceptOverflow() + v.synQueueFull() + v.other()).isEqualTo(drops.get(k)));
  }

  @Test
  void overflowsCountedAfterTheListenersWereReadCarryIntoTheNextPeriod() {
    SynDropSplit split = new SynDropSplit();
    split.split(NS, new Netstat(0, 0), 0, Map.of());
    // The counters were read after the iterator: 12 overflows, but the listener showed 10 drops so
    // far.
    assertThat(split.split(NS, new Netstat(12, 0), 0, Map.of("l", 10L)).get("l"))
        .isEqualTo(new Shares(10, 0, 0));
    assertThat(split.split(NS, new Netstat(12, 0), 0, Map.of("l", 2L)).get("l"))
        .isEqualTo(new Shares(2, 0, 0));
  }

  @Test
  void aQuietPeriodForgetsLeftoverCredit() {
    SynDropSplit split = new SynDropSplit();
    split.split(NS, new Netstat(0, 0), 0, Map.of());
    split.split(NS, new Netstat(5, 0), 0, Map.of("l", 0L));
    split.split(NS, new Netstat(5, 0), 0, Map.of("l", 0L));
    assertThat(split.split(NS, new Netstat(5, 0), 0, Map.of("l", 3L)).get("l"))
        .isEqualTo(new Shares(0, 0, 3));
  }

  @Test
  void withoutTheNamespaceCountersSynDropsCountAsAcceptQueueOverflows() {
    SynDropSplit split = new SynDropSplit();
    assertThat(split.split(NS, null, 0, Map.of("l", 4L)).get("l")).isEqualTo(new Shares(4, 0, 0));
    // First readable period: nothing to compare with yet.
    assertThat(split.split(NS, new Netstat(90, 9), 0, Map.of("l", 2L)).get("l"))
        .isEqualTo(new Shares(2, 0, 0));
    assertThat(split.split(NS, new Netstat(91, 9), 0, Map.of("l", 2L)).get("l"))
        .isEqualTo(new Shares(1, 0, 1));
  }
}
