package io.gala.agent.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.gala.transport.Topics;
import org.junit.jupiter.api.Test;

class SpoolTest {
  private static Outgoing batch(long seq, int bytes) {
    return new Outgoing("t", new byte[4], new byte[bytes - 100], 0, Topics.Stream.RECORDS, seq, 10);
  }

  @Test
  void dropsTheOldestWaitingRecordsWhenFullAndCountsThem() {
    Spool s = new Spool("p", 1000, 250, () -> {});
    for (long i = 1; i <= 10; i++) {
      s.offer(batch(i, 200));
    }
    assertThat(s.batches()).isEqualTo(5);
    assertThat(s.droppedBatches(Topics.Stream.RECORDS)).isEqualTo(5);
    assertThat(s.droppedRecords(Topics.Stream.RECORDS)).isEqualTo(50);
    assertThat(s.poll().sequence()).isEqualTo(6);
  }

  @Test
  void keepsInFlightRecordsUntilAcknowledgedAndDropsOnlyWaitingOnes() {
    Spool s = new Spool("p", 1000, 400, () -> {});
    s.offer(batch(1, 200));
    s.offer(batch(2, 200));
    s.offer(batch(3, 200));
    Outgoing a = s.poll();
    Outgoing b = s.poll();
    assertThat(s.poll()).as("in-flight limit reached").isNull();
    for (long i = 4; i <= 8; i++) {
      s.offer(batch(i, 200));
    }
    // 1 and 2 are in flight (promised); of the waiting ones 3, 4, 5 were dropped oldest first.
    assertThat(s.droppedBatches(Topics.Stream.RECORDS)).isEqualTo(3);
    s.delivered(a);
    s.delivered(b);
    assertThat(s.sentBatches()).isEqualTo(2);
    assertThat(s.poll().sequence()).isEqualTo(6);
  }

  @Test
  void aRefusedSendGoesBackToTheHead() {
    Spool s = new Spool("p", 1000, 1000, () -> {});
    s.offer(batch(1, 200));
    s.offer(batch(2, 200));
    Outgoing first = s.poll();
    s.giveBack(first);
    assertThat(s.poll().sequence()).isEqualTo(1);
    assertThat(s.batches()).isEqualTo(2);
  }
}
