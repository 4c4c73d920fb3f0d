package io.gala.agent.probe.io;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.ToIntFunction;

/**
 * Which programs of {@code io.bpf.c} to load. block_rq_insert, block_rq_issue, block_rq_merge and
 * block_bio_queue pass (q, rq) or (q, bio) on 5.10 and drop q from 5.11 on; each has a wrapper per
 * form ({@code handle_rq_issue}, {@code handle_rq_issue_q}) and the one that does not match the
 * tracepoint's BTF is disabled before load.
 */
final class IoPrograms {
  /**
   * Hooks a kernel may lack: block_io_start (6.5+), block_rq_merge, block_rq_error (newer kernels).
   */
  static final Set<String> OPTIONAL =
      Set.of("handle_io_start", "handle_rq_merge", "handle_rq_merge_q", "handle_rq_error");

  /** The programs of the per-process table, disabled when sub-probe proc_io is off. */
  static final Set<String> PER_PROCESS = Set.of("handle_bio_queue", "handle_bio_queue_q");

  private static final List<String> TWO_FORM_HOOKS =
      List.of("rq_insert", "rq_issue", "rq_merge", "bio_queue");

  private IoPrograms() {}

  /**
   * The programs to disable, given the argument count of each tracepoint ({@code -1} when absent)
   * and whether the per-process table is wanted. A missing optional hook is left to {@code
   * BpfObject.load(OPTIONAL)}; a missing required one then fails the load with its name.
   */
  static Set<String> toDisable(ToIntFunction<String> argCount, boolean perProcess) {
    Set<String> off = new LinkedHashSet<>();
    for (String hook : TWO_FORM_HOOKS) {
      String tracepoint = "block_" + hook;
      String single = "handle_" + hook;
      int n = argCount.applyAsInt(tracepoint);
      switch (n) {
        case -1 -> {}
        case 1 -> off.add(single + "_q");
        case 2 -> off.add(single);
        default ->
            throw new IllegalStateException(
                tracepoint
                    + " passes "
                    + n
                    + " arguments on this kernel; io.bpf.c knows both forms of 5.10 and 5.11+: extend "
                    + single);
      }
    }
    if (!perProcess) {
      off.addAll(PER_PROCESS);
    }
    return off;
  }
}
