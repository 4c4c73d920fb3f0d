package io.gala.agent.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gala.agent.testing.KernelTest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The libbpf binding against the real kernel, with selftest.bpf.o (getppid of this JVM as trigger).
 */
@KernelTest
class BpfBindingTest {
  private static final int CALLS = 3000; // > 2 batches of 1024: the batch token path is exercised
  private static final long SELF = ProcessHandle.current().pid();

  private static BpfObject loadedSelftest() {
    BpfObject obj = BpfObject.open("selftest");
    obj.setGlobal("targ_tgid", SELF);
    obj.load(Set.of("handle_missing"));
    return obj;
  }

  @Test
  void deliversEveryRingBufferRecordAndReadsMapsInBatchesAndByKey() throws Exception {
    try (BpfObject obj = loadedSelftest()) {
      obj.attachAll();
      Set<Integer> seen = ConcurrentHashMap.newKeySet();
      try (RingBufferReader reader =
          new RingBufferReader(
              obj.map("events"),
              (data, size) -> {
                assertThat(size).isEqualTo(16);
                assertThat(data.getInt(0)).isEqualTo((int) SELF);
                seen.add(data.getInt(4));
              })) {
        for (int i = 0; i < CALLS; i++) {
          Native.LIBC.getppid();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (seen.size() < CALLS && System.nanoTime() < deadline) {
          Thread.sleep(10);
        }
        assertThat(reader.handlerErrors()).isZero();
      }
      Set<Integer> expected = IntStream.range(0, CALLS).boxed().collect(Collectors.toSet());
      assertThat(seen).isEqualTo(expected);

      BpfMap calls = obj.map("calls");
      Set<Integer> batched = new HashSet<>();
      assertThat(calls.forEach((k, v) -> batched.add(k.getInt(0)))).isEqualTo(CALLS);
      Set<Integer> byKey = new HashSet<>();
      assertThat(calls.forEachByKey((k, v) -> byKey.add(k.getInt(0)))).isEqualTo(CALLS);
      assertThat(batched).isEqualTo(expected).isEqualTo(byKey);

      BpfMap count = obj.map("count");
      long[] total = new long[1];
      count.forEach(
          (k, v) -> {
            for (int cpu = 0; cpu < count.valueCopies(); cpu++) {
              total[0] += v.getLong((long) cpu * count.valueStride());
            }
          });
      assertThat(total[0]).isEqualTo(CALLS);
    }
  }

  @Test
  void iteratorSeesEveryTaskOfThisProcess() throws IOException {
    try (BpfObject obj = loadedSelftest()) {
      BpfIterator tasks = obj.iterator("dump_task");
      Set<Integer> threadsBefore = threadsOfSelf();
      ByteBuffer out = tasks.read();
      Set<Integer> seen = new HashSet<>();
      while (out.remaining() >= 8) {
        int pid = out.getInt();
        int tgid = out.getInt();
        if (tgid == SELF) {
          seen.add(pid);
        }
      }
      Set<Integer> threadsAfter = threadsOfSelf();
      threadsBefore.retainAll(threadsAfter); // threads alive through the whole walk
      assertThat(seen).containsAll(threadsBefore).contains((int) SELF);
    }
  }

  private static Set<Integer> threadsOfSelf() throws IOException {
    try (Stream<Path> s = Files.list(Path.of("/proc/self/task"))) {
      return s.map(p -> Integer.parseInt(p.getFileName().toString())).collect(Collectors.toSet());
    }
  }

  @Test
  void skipsAnOptionalProgramWhoseHookIsMissingAndNamesItOtherwise() {
    try (BpfObject obj = loadedSelftest()) {
      assertThat(obj.skippedPrograms())
          .containsExactly("handle_missing (tp_btf/gala_no_such_tracepoint)");
    }
    try (BpfObject obj = BpfObject.open("selftest")) {
      assertThatThrownBy(() -> obj.load(Set.of()))
          .hasMessageContaining(
              "program handle_missing needs tp_btf/gala_no_such_tracepoint, which this kernel lacks");
    }
  }

  @Test
  void reportsAFailedLoadWithOperationObjectErrnoAndLibbpfLog() {
    try (BpfObject obj = BpfObject.open("selftest")) {
      obj.resizeMap("calls", 0);
      assertThatThrownBy(() -> obj.load(Set.of("handle_missing")))
          .isInstanceOf(BpfException.class)
          .hasMessageStartingWith("load selftest.bpf.o: EINVAL")
          .hasMessageContaining("libbpf:");
    }
  }
}
