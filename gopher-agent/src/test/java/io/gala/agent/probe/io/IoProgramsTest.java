package io.gala.agent.probe.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class IoProgramsTest {
  @Test
  void keepsTheSingleArgumentWrappersOnKernelsFrom5_11() {
    assertThat(IoPrograms.toDisable(tp -> 1, true))
        .containsExactly(
            "handle_rq_insert_q", "handle_rq_issue_q", "handle_rq_merge_q", "handle_bio_queue_q");
  }

  @Test
  void keepsTheQueueArgumentWrappersOn5_10() {
    assertThat(IoPrograms.toDisable(tp -> 2, true))
        .containsExactly(
            "handle_rq_insert", "handle_rq_issue", "handle_rq_merge", "handle_bio_queue");
  }

  @Test
  void leavesAMissingHookToTheOptionalLoad() {
    Map<String, Integer> args =
        Map.of("block_rq_insert", 1, "block_rq_issue", 1, "block_bio_queue", 1);
    assertThat(IoPrograms.toDisable(tp -> args.getOrDefault(tp, -1), true))
        .doesNotContain("handle_rq_merge", "handle_rq_merge_q");
    assertThat(IoPrograms.OPTIONAL)
        .contains("handle_rq_merge", "handle_rq_merge_q", "handle_io_start");
  }

  @Test
  void disablesTheBioProgramsWithoutThePerProcessTable() {
    assertThat(IoPrograms.toDisable(tp -> 1, false))
        .contains("handle_bio_queue", "handle_bio_queue_q");
    assertThat(IoPrograms.toDisable(tp -> 1, true)).doesNotContain("handle_bio_queue");
  }

  @Test
  void namesTheTracepointWhoseArgumentsItDoesNotKnow() {
    assertThatThrownBy(() -> IoPrograms.toDisable(tp -> 3, true))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("block_rq_insert passes 3 arguments")
        .hasMessageContaining("extend handle_rq_insert");
  }
}
