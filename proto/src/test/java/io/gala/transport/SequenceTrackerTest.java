package io.gala.transport;

import static io.gala.transport.SequenceTracker.Outcome.DUPLICATE;
import static io.gala.transport.SequenceTracker.Outcome.FIRST;
import static io.gala.transport.SequenceTracker.Outcome.GAP;
import static io.gala.transport.SequenceTracker.Outcome.NEXT;
import static org.assertj.core.api.Assertions.assertThat;

import io.gala.transport.Topics.Stream;
import org.junit.jupiter.api.Test;

class SequenceTrackerTest {
  @Test
  void countsGapsAndDuplicatesPerAgentRunAndStream() {
    SequenceTracker t = new SequenceTracker();
    assertThat(t.track(Stream.RECORDS, "m1", 100, 1)).isEqualTo(FIRST);
    assertThat(t.track(Stream.RECORDS, "m1", 100, 2)).isEqualTo(NEXT);
    assertThat(t.track(Stream.RECORDS, "m1", 100, 5)).isEqualTo(GAP);
    assertThat(t.track(Stream.RECORDS, "m1", 100, 5)).isEqualTo(DUPLICATE);
    assertThat(t.track(Stream.RECORDS, "m1", 100, 3)).isEqualTo(DUPLICATE);
    // A restarted agent (new start time) and another stream are sequences of their own.
    assertThat(t.track(Stream.RECORDS, "m1", 200, 1)).isEqualTo(FIRST);
    assertThat(t.track(Stream.EVENTS, "m1", 100, 1)).isEqualTo(FIRST);
    assertThat(t.missing()).isEqualTo(2);
    assertThat(t.duplicates()).isEqualTo(2);
    assertThat(t.run(Stream.RECORDS, "m1", 100))
        .isEqualTo(new SequenceTracker.RunStats(1, 5, 3, 2, 2));
  }

  @Test
  void forgetsTheLeastRecentlySeenRunBeyondItsBound() {
    SequenceTracker t = new SequenceTracker(2);
    t.track(Stream.RECORDS, "a", 1, 1);
    t.track(Stream.RECORDS, "b", 1, 1);
    t.track(Stream.RECORDS, "a", 1, 2);
    t.track(Stream.RECORDS, "c", 1, 1);
    assertThat(t.run(Stream.RECORDS, "b", 1)).isNull();
    assertThat(t.run(Stream.RECORDS, "a", 1)).isNotNull();
  }
}
