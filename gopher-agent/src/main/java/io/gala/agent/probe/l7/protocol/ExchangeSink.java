package io.gala.agent.probe.l7.protocol;

/** Receives each exchange a parser completes, on the parser's thread. */
@FunctionalInterface
public interface ExchangeSink {
  void accept(Exchange exchange);

  /**
   * Transactions committed by no request of the client: PostgreSQL commits one while it sets up a
   * session, and a cycle whose request predates the capture has none either.
   */
  default void commitsWithoutRequest(Protocol protocol, int commits) {}
}
