package io.gala.agent.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.gala.agent.export.Sample;
import io.gala.agent.probe.Identity;
import io.gala.broker.BrokerProcess;
import io.gala.transport.SequenceTracker;
import io.gala.transport.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker goes away for a minute under traffic (killed, then restarted on the same data; or
 * frozen with SIGSTOP, then resumed). Two agents send at the same time: one whose spool holds the
 * whole minute and one whose spool is far too small. By sequence numbers, every batch of the first
 * arrives exactly once and its drop counter stays 0; the second loses exactly as many batches as
 * its drop counter says.
 */
@Tag("slow")
class KafkaOutageTest {
  private static final Duration OUTAGE = Duration.ofSeconds(60);
  private static final long TICK_MS = 100;

  @TempDir static Path dir;

  private static BrokerProcess broker;

  @BeforeAll
  static void startBroker() {
    broker = BrokerProcess.start(dir.resolve("kafka"), "--config", "log.retention.ms=-1");
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void brokerKilledForAMinuteThenRestartedLosesNothingWithinTheSpool() throws Exception {
    runOutage("killed", broker::kill, broker::restart);
  }

  @Test
  void brokerFrozenForAMinuteThenResumedLosesNothingWithinTheSpool() throws Exception {
    runOutage("frozen", broker::freeze, broker::resume);
  }

  private void runOutage(String name, Runnable fault, Runnable recover) throws Exception {
    Topics topics = TestSamples.topics(name);
    Identity big = new Identity("big-spool-" + name, "192.168.0.1");
    Identity small = new Identity("small-spool-" + name, "192.168.0.2");
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong slowestOnSampleNanos = new AtomicLong();
    try (KafkaExporter bigEx =
            new KafkaExporter(
                TestSamples.config(broker.bootstrap(), topics, 64L << 20, 512 * 1024, false));
        KafkaExporter smallEx =
            new KafkaExporter(
                TestSamples.config(broker.bootstrap(), topics, 64 * 1024, 16 * 1024, false))) {
      Thread traffic =
          new Thread(
              () -> {
                // Current timestamps: the broker's retention would delete records stamped years
                // ago.
                long ts = System.currentTimeMillis();
                while (running.get()) {
                  Sample s = TestSamples.sample(ts, 20);
                  for (var pair : Map.of(bigEx, big, smallEx, small).entrySet()) {
                    long t0 = System.nanoTime();
                    pair.getKey()
                        .onSample(
                            new Sample(
                                s.timestampMillis(),
                                pair.getValue(),
                                s.agentStartMillis(),
                                s.rows()));
                    slowestOnSampleNanos.accumulateAndGet(System.nanoTime() - t0, Math::max);
                  }
                  ts += TICK_MS;
                  sleep(TICK_MS);
                }
              },
              "traffic");
      traffic.start();
      sleep(5_000);
      fault.run();
      sleep(OUTAGE.toMillis());
      recover.run();
      sleep(10_000);
      running.set(false);
      traffic.join();
      long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      while ((bigEx.stats().protobuf().queueBatches() > 0
              || smallEx.stats().protobuf().queueBatches() > 0)
          && System.nanoTime() < deadline) {
        sleep(200);
      }
      assertThat(bigEx.stats().protobuf().queueBatches())
          .as("big spool drained after recovery")
          .isZero();
      assertThat(smallEx.stats().protobuf().queueBatches())
          .as("small spool drained after recovery")
          .isZero();
      // onSample only encodes and spools: a dead or frozen broker never makes it wait. Waiting on
      // Kafka
      // would take max.block.ms (5 s) or request.timeout.ms (30 s); below that is CPU scheduling on
      // a busy host.
      assertThat(slowestOnSampleNanos.get())
          .as("slowest onSample")
          .isLessThan(Duration.ofSeconds(3).toNanos());

      long bigBatches = bigEx.lastSequence(Topics.Stream.RECORDS);
      long smallBatches = smallEx.lastSequence(Topics.Stream.RECORDS);
      long smallDropped = smallEx.droppedBatches(Topics.Stream.RECORDS);
      assertThat(bigBatches)
          .as("batches sent over the outage")
          .isGreaterThan(OUTAGE.toMillis() / TICK_MS / 2);
      assertThat(bigEx.droppedBatches(Topics.Stream.RECORDS)).isZero();
      assertThat(smallDropped).as("the small spool overflowed").isPositive();

      try (Collector c =
          new Collector(
              broker.bootstrap(), topics, name, java.util.List.of(Topics.Stream.RECORDS))) {
        boolean all =
            c.pollUntil(
                () ->
                    received(c, big) >= bigBatches
                        && received(c, small) >= smallBatches - smallDropped,
                Duration.ofSeconds(120));
        assertThat(all)
            .as(
                "all batches consumed: big sent "
                    + bigBatches
                    + ", small sent "
                    + smallBatches
                    + " dropped "
                    + smallDropped
                    + "; consumer saw "
                    + c.consumer.sequences())
            .isTrue();
        c.consumer.poll(Duration.ofSeconds(2));
        SequenceTracker.RunStats b = c.consumer.sequences().get(run(big));
        assertThat(b)
            .as("big spool: every batch exactly once")
            .isEqualTo(new SequenceTracker.RunStats(1, bigBatches, bigBatches, 0, 0));
        SequenceTracker.RunStats s = c.consumer.sequences().get(run(small));
        assertThat(s.duplicates()).as("small spool: no batch twice").isZero();
        assertThat(s.first()).isEqualTo(1);
        assertThat(s.last()).as("the newest batches are kept").isEqualTo(smallBatches);
        assertThat(s.missing())
            .as("missing sequence numbers = drop counter")
            .isEqualTo(smallDropped);
        assertThat(s.received()).isEqualTo(smallBatches - smallDropped);
      }
    }
  }

  private static SequenceTracker.Run run(Identity id) {
    return new SequenceTracker.Run(Topics.Stream.RECORDS, id.machineId(), 1_700_000_000_000L);
  }

  private static long received(Collector c, Identity id) {
    SequenceTracker.RunStats r = c.consumer.sequences().get(run(id));
    return r == null ? 0 : r.received();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
