package io.gala.agent.probe.l7.protocol;

import java.util.ArrayDeque;

/**
 * Requests in the order they were sent, for protocols whose responses come back in that order
 * (Redis, PostgreSQL, MySQL, HTTP/1.x pipelining). Bounded: when full, the oldest request is
 * reported as unanswered to make room.
 */
public final class RequestQueue {
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private final int max;
  private final StreamParser owner;

  RequestQueue(StreamParser owner, int max) {
    this.owner = owner;
    this.max = max;
  }

  public void add(Pending p) {
    if (queue.size() >= max) {
      owner.unanswered(queue.poll());
    }
    queue.add(p);
  }

  /** The oldest request, or null. */
  public Pending peek() {
    return queue.peek();
  }

  /** Removes and returns the oldest request, or null. */
  public Pending poll() {
    return queue.poll();
  }

  public boolean isEmpty() {
    return queue.isEmpty();
  }

  public int size() {
    return queue.size();
  }

  /** Reports every waiting request as unanswered. */
  public void flush() {
    for (Pending p = queue.poll(); p != null; p = queue.poll()) {
      owner.unanswered(p);
    }
  }
}
