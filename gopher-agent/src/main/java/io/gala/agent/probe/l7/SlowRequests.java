package io.gala.agent.probe.l7;

import io.gala.agent.probe.l7.protocol.Exchange;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Keeps the N slowest requests of the current period (a min-heap, so that a request faster than the
 * N-th costs one comparison) and the list of the period before, slowest first. Texts are masked
 * only for requests that make it into the heap.
 */
final class SlowRequests {
  private final int capacity;
  private final PriorityQueue<SlowRequest> heap =
      new PriorityQueue<>(Comparator.comparingLong(SlowRequest::latencyNs));
  private volatile List<SlowRequest> last = List.of();

  SlowRequests(int capacity) {
    this.capacity = capacity;
  }

  void offer(Exchange e, Connection c, String comm, long wallOffsetNs) {
    if (capacity == 0) {
      return;
    }
    long latency = e.latencyNs();
    if (heap.size() >= capacity && latency <= heap.peek().latencyNs()) {
      return;
    }
    SlowRequest r =
        new SlowRequest(
            (e.responseNs() + wallOffsetNs) / 1_000_000,
            latency,
            e.protocol().label(),
            e.api(),
            TextMasking.mask(e.protocol(), e.text()),
            c.tgid,
            comm,
            c.role(),
            endpoint(c.clientIp(), c.clientPort()),
            endpoint(c.serverIp(), c.serverPort()));
    heap.add(r);
    if (heap.size() > capacity) {
      heap.poll();
    }
  }

  /** Ends the period: its requests become {@link #last()}. */
  void rotate() {
    List<SlowRequest> list = new ArrayList<>(heap);
    list.sort(Comparator.comparingLong(SlowRequest::latencyNs).reversed());
    heap.clear();
    last = List.copyOf(list);
  }

  /** The slowest requests of the last complete period, slowest first. */
  List<SlowRequest> last() {
    return last;
  }

  private static String endpoint(String ip, int port) {
    return ip.indexOf(':') >= 0 ? "[" + ip + "]:" + port : ip + ":" + port;
  }
}
