package io.gala.agent.probe.l7.protocol;

/**
 * One request and its response as a parser matched them: the command, method or statement kind
 * ({@code api}), the request text as sent (truncated, literals not yet masked), when the request
 * started and the response ended (ns, the kernel's monotonic clock; 0 when there was no response),
 * and for PostgreSQL the transactions this exchange committed.
 */
public record Exchange(
    Protocol protocol,
    String api,
    String text,
    long requestNs,
    long responseNs,
    Status status,
    int commits) {

  /** Response end minus request start, 0 when unanswered or out of order. */
  public long latencyNs() {
    return status == Status.NO_RESPONSE || responseNs < requestNs ? 0 : responseNs - requestNs;
  }
}
