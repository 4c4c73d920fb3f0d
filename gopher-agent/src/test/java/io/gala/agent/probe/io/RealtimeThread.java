package io.gala.agent.probe.io;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs the calling thread SCHED_FIFO until closed, so that what a test measures around a blocking
 * call is the call and not the wait for a CPU after it returns, on 2 cores shared with other tests.
 * A load generator that must keep up despite those other tests runs SCHED_FIFO {@link #BELOW} it.
 */
final class RealtimeThread implements AutoCloseable {
  /** SCHED_FIFO priority of the measuring thread; load generators run below it ({@link #BELOW}). */
  static final int PRIORITY = 50;

  static final int BELOW = 10;

  private final String tid;

  private RealtimeThread(String tid) {
    this.tid = tid;
  }

  static RealtimeThread enter() throws Exception {
    // /proc/thread-self -> <pid>/task/<tid>
    String tid = Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
    LoopDevice.run("chrt", "-f", "-p", Integer.toString(PRIORITY), tid);
    return new RealtimeThread(tid);
  }

  @Override
  public void close() throws Exception {
    LoopDevice.run("chrt", "-o", "-p", "0", tid);
  }
}
