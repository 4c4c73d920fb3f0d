package io.gala.agent.bpf;

import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import jnr.ffi.Pointer;

/**
 * Drains a {@code BPF_MAP_TYPE_RINGBUF} map on a thread of its own and hands each record to a
 * handler. The handler runs on that thread and must be quick: per-event work in Java costs
 * microseconds, so probes aggregate in the kernel and use ring buffers only for what must be per
 * event. Records submitted with {@code BPF_RB_NO_WAKEUP} are still delivered, within 100 ms.
 */
public final class RingBufferReader implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(RingBufferReader.class.getName());

  /** Receives one record; data is valid only during the call. */
  @FunctionalInterface
  public interface RecordHandler {
    void onRecord(Pointer data, int size);
  }

  private final String name;
  private final Pointer rb;
  private final Thread thread;
  private final AtomicLong records = new AtomicLong();
  private final AtomicLong handlerErrors = new AtomicLong();

  /** Held strongly: libbpf keeps a pointer to the callback's trampoline. */
  private final Libbpf.SampleFn callback;

  private volatile boolean running = true;

  public RingBufferReader(BpfMap map, RecordHandler handler) {
    this.name = map.name();
    this.callback =
        (ctx, data, size) -> {
          records.incrementAndGet();
          try {
            handler.onRecord(data, (int) size);
          } catch (RuntimeException e) {
            // Never unwind into libbpf; count and keep draining.
            if (handlerErrors.incrementAndGet() <= 10) {
              LOG.log(Level.WARNING, "ring buffer " + name + ": handler failed", e);
            }
          }
          return 0;
        };
    int fd = map.fd();
    this.rb =
        BpfException.check(
            Native.LIBBPF.ring_buffer__new(fd, callback, null, null), "open ring buffer", name);
    this.thread = new Thread(this::run, "ringbuf-" + name);
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    while (running) {
      int rc = Native.LIBBPF.ring_buffer__poll(rb, 100);
      if (rc == 0) {
        // Nothing woke us within 100 ms: drain what producers wrote with BPF_RB_NO_WAKEUP (batching
        // records saves a wakeup per record). No syscall: consume only reads the shared positions.
        rc = Native.LIBBPF.ring_buffer__consume(rb);
      }
      if (rc < 0 && rc != -4) {
        LOG.warning("ring buffer " + name + ": poll failed: " + Errno.name(rc));
        sleepQuietly();
      }
    }
  }

  private static void sleepQuietly() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public long records() {
    return records.get();
  }

  public long handlerErrors() {
    return handlerErrors.get();
  }

  @Override
  public void close() {
    running = false;
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Native.LIBBPF.ring_buffer__free(rb);
  }
}
