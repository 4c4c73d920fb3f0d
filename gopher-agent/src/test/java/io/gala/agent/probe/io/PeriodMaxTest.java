package io.gala.agent.probe.io;

import static org.assertj.core.api.Assertions.assertThat;

import io.gala.agent.table.LogLinearBuckets;
import org.junit.jupiter.api.Test;

class PeriodMaxTest {
  private final PeriodMax<String> max = new PeriodMax<>();

  private static long[] with(long... values) {
    long[] slots = new long[LogLinearBuckets.SLOTS];
    for (long v : values) {
      slots[LogLinearBuckets.slot(v)]++;
    }
    return slots;
  }

  @Test
  void reportsTheUpperBoundOfTheHighestSlotSeenSinceTheLastSample() {
    long got = max.update("sda", with(1_000, 250_000, 90_000));
    assertThat(got).isEqualTo(LogLinearBuckets.upperBound(LogLinearBuckets.slot(250_000)));
    assertThat(got).isBetween(250_000L, (long) (250_000 * 1.125));
  }

  @Test
  void forgetsWhatEarlierPeriodsSaw() {
    long[] first = with(5_000_000, 1_000);
    max.update("sda", first);
    long[] second = first.clone();
    second[LogLinearBuckets.slot(40_000)]++;
    assertThat(max.update("sda", second)).isBetween(40_000L, 45_000L);
  }

  @Test
  void isZeroForAnIdlePeriod() {
    long[] slots = with(70_000);
    max.update("sda", slots);
    assertThat(max.update("sda", slots.clone())).isZero();
  }

  @Test
  void keepsEntitiesApart() {
    max.update("sda", with(70_000));
    assertThat(max.update("sdb", with(1_000))).isLessThan(1_200);
  }

  @Test
  void reportsTheLowerBoundOfTheOpenLastSlot() {
    long[] slots = new long[LogLinearBuckets.SLOTS];
    slots[LogLinearBuckets.SLOTS - 1] = 1;
    assertThat(max.update("sda", slots))
        .isEqualTo(LogLinearBuckets.lowerBound(LogLinearBuckets.SLOTS - 1));
  }
}
