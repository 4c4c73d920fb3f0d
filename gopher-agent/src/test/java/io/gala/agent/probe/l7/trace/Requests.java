package io.gala.agent.probe.l7.trace;

import io.gala.agent.probe.l7.SlowRequest;

/** Slow requests made by hand for the unit tests of this package. */
final class Requests {
  private Requests() {}

  static SlowRequest redisServer(long endMillis, long latencyNs) {
    return new SlowRequest(
        endMillis,
        latencyNs,
        "redis",
        "GET",
        "GET ?",
        4242,
        "redis-server",
        "server",
        "127.0.0.1:51000",
        "127.0.0.1:6379");
  }

  static SlowRequest pgsqlClient(long endMillis, long latencyNs) {
    return new SlowRequest(
        endMillis,
        latencyNs,
        "pgsql",
        "SELECT",
        "SELECT * FROM t WHERE id = ?",
        777,
        "pgbench",
        "client",
        "[::1]:40000",
        "[::1]:5432");
  }

  static SlowRequest withText(String text) {
    return new SlowRequest(
        1_700_000_000_000L,
        1_000_000,
        "http",
        "GET",
        text,
        1,
        "nginx",
        "server",
        "10.0.0.1:1234",
        "10.0.0.2:80");
  }
}
