package io.gala.agent.probe.l7.protocol;

/** How a request ended, as the response said. */
public enum Status {
  OK,
  /**
   * The server refused the request as malformed or not allowed (HTTP 4xx, SQL syntax, WRONGTYPE).
   */
  CLIENT_ERROR,
  /** The server failed (HTTP 5xx, out of memory, internal error, Kafka broker errors). */
  SERVER_ERROR,
  /** No response was seen: the connection closed, the queue overflowed or the response was lost. */
  NO_RESPONSE;

  public boolean isError() {
    return this == CLIENT_ERROR || this == SERVER_ERROR;
  }
}
