package io.gala.agent.probe.socket;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ListenDropAccountsTest {
  private static final ListenAddress ADDR = new ListenAddress(1, Layouts.AF_INET, "10.0.0.1", 80);

  private static ListenCounters counters(long ackOverflow, long dropsCounted, long listenNs) {
    return new ListenCounters(0, 0, 0, ackOverflow, dropsCounted, 0, listenNs, 0, 0);
  }

  @Test
  void aListenerOlderThanTheProbeCountsFromItsDropsAtTheStart() {
    ListenDropAccounts a = new ListenDropAccounts();
    a.update(ADDR, ListenCounters.NONE, 500, true);
    a.update(ADDR, counters(0, 0, 0), 530, false);
    assertThat(a.drops(ADDR).listendrop()).isEqualTo(30);
  }

  @Test
  void aListenerStartedAfterTheProbeCountsFromZero() {
    ListenDropAccounts a = new ListenDropAccounts();
    a.update(ADDR, counters(0, 0, 123), 7, false);
    assertThat(a.drops(ADDR).listendrop()).isEqualTo(7);
  }

  @Test
  void dropsThatSkDropsCountedBesidesListenDropsAreTakenOut() {
    ListenDropAccounts a = new ListenDropAccounts();
    // 100 sk_drops: 20 final ACKs overflowed (each counted twice), 6 other drops at the listener.
    ListenDropAccounts.Fresh f = a.update(ADDR, counters(20, 26, 1), 100, false);
    ListenDropAccounts.Drops d = a.drops(ADDR);
    assertThat(d.listendrop()).isEqualTo(74);
    assertThat(d.ackOverflow()).isEqualTo(20);
    assertThat(f).isEqualTo(new ListenDropAccounts.Fresh(20, 54));
    a.assign(ADDR, new SynDropSplit.Shares(50, 0, 4));
    assertThat(a.drops(ADDR).acceptOverflow()).isEqualTo(70);
  }

  @Test
  void countsNeverGoDownAndOnlyNewDropsAreReturned() {
    ListenDropAccounts a = new ListenDropAccounts();
    a.update(ADDR, counters(0, 0, 1), 10, false);
    // A closing socket missing from this read: its drops vanish for a moment.
    assertThat(a.update(ADDR, counters(0, 0, 1), 4, false))
        .isEqualTo(new ListenDropAccounts.Fresh(0, 0));
    assertThat(a.drops(ADDR).listendrop()).isEqualTo(10);
    assertThat(a.update(ADDR, counters(0, 0, 1), 12, false))
        .isEqualTo(new ListenDropAccounts.Fresh(0, 2));
  }

  @Test
  void forgottenAddressesStartOver() {
    ListenDropAccounts a = new ListenDropAccounts();
    a.update(ADDR, counters(0, 0, 1), 10, false);
    a.forget(ADDR);
    assertThat(a.knows(ADDR)).isFalse();
    assertThat(a.drops(ADDR).listendrop()).isZero();
  }
}
