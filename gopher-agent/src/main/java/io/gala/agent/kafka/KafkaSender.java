package io.gala.agent.kafka;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RetriableException;

/**
 * The one thread that talks to the producer: takes records from the spools in turn and sends them;
 * the producer's callback acknowledges them in the spool or, when it gave a record up, counts it
 * lost. A send the producer refuses at once (no metadata within max.block.ms, while no broker
 * answers) puts the record back at the head of its spool and backs off, so that order and the
 * spool's promise hold.
 */
final class KafkaSender implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(KafkaSender.class.getName());
  private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

  private final Producer<byte[], byte[]> producer;
  private final List<Spool> spools;
  private final Thread thread;
  private final AtomicLong sendErrors = new AtomicLong();
  private volatile boolean running = true;
  private volatile long backoffUntilNanos;

  KafkaSender(Producer<byte[], byte[]> producer, List<Spool> spools) {
    this.producer = producer;
    this.spools = List.copyOf(spools);
    this.thread = new Thread(this::run, "kafka-sender");
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** Wakes the sender: something was offered or acknowledged. */
  void wake() {
    LockSupport.unpark(thread);
  }

  long sendErrors() {
    return sendErrors.get();
  }

  private void run() {
    while (running) {
      if (System.nanoTime() < backoffUntilNanos) {
        LockSupport.parkNanos(backoffUntilNanos - System.nanoTime());
        continue;
      }
      boolean sent = false;
      for (Spool spool : spools) {
        Outgoing o = spool.poll();
        if (o != null) {
          send(spool, o);
          sent = true;
        }
      }
      if (!sent) {
        LockSupport.parkNanos(IDLE_PARK_NANOS);
      }
    }
  }

  private void send(Spool spool, Outgoing o) {
    try {
      producer.send(
          new ProducerRecord<>(o.topic(), null, o.timestampMillis(), o.key(), o.value()),
          (md, e) -> {
            if (e == null) {
              spool.delivered(o);
            } else {
              onFailure(spool, o, e);
            }
          });
    } catch (KafkaException | IllegalStateException e) {
      if (!running) {
        spool.giveBack(o);
        return;
      }
      long n = sendErrors.incrementAndGet();
      spool.giveBack(o);
      backoffUntilNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
      if (n <= 5 || n % 100 == 0) {
        LOG.log(
            Level.WARNING,
            "kafka send to "
                + o.topic()
                + " refused ("
                + n
                + " so far), kept in the "
                + spool.name()
                + " spool and retried: "
                + e);
      }
    }
  }

  private void onFailure(Spool spool, Outgoing o, Exception e) {
    long n = sendErrors.incrementAndGet();
    if (e instanceof RetriableException && running) {
      // Only after delivery.timeout.ms, which is set to never: keep the promise and send it again.
      spool.giveBack(o);
      wake();
    } else {
      spool.lost(o);
    }
    if (n <= 5 || n % 100 == 0) {
      LOG.log(
          Level.WARNING,
          "kafka delivery of "
              + o.stream()
              + " seq "
              + o.sequence()
              + " to "
              + o.topic()
              + " failed ("
              + n
              + " errors so far): "
              + e);
    }
  }

  /** Sends what the spools hold for up to {@code drain}, then stops and closes the producer. */
  @Override
  public void close() {
    close(Duration.ofSeconds(5));
  }

  void close(Duration drain) {
    long deadline = System.nanoTime() + drain.toNanos();
    while (System.nanoTime() < deadline && spools.stream().anyMatch(s -> !s.isEmpty())) {
      wake();
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
    running = false;
    wake();
    try {
      thread.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(Duration.ofMillis(Math.max(0, (deadline - System.nanoTime()) / 1_000_000)));
    for (Spool s : spools) {
      int n = s.dropPending();
      if (n > 0) {
        LOG.warning(
            "kafka transport closed with "
                + n
                + " records of the "
                + s.name()
                + " spool unsent (dropped)");
      }
    }
  }
}
