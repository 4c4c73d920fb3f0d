package io.gala.agent.probe.l7;

import io.gala.agent.table.TableDef;
import java.util.List;

/**
 * The l7 probe's tables as gala-gopher's l7probe, ksliprobe and pgsliprobe declare them: per link
 * ({@code l7_link}, {@code l7_rpc}), per api ({@code l7_rpc_api}), and the server-side SLIs of
 * Redis and PostgreSQL. A link is one process's connections to one server endpoint from one client
 * address, in one role: on loopback the client and the server are two series.
 */
final class L7Tables {
  private static final String[] LINK_KEYS = {
    "tgid", "client_ip", "server_ip", "server_port", "l4_role", "l7_role", "protocol"
  };
  private static final String[] LINK_LABELS = {"ssl", "comm", "container_id"};
  private static final String[] SLI_KEYS = {"tgid", "ins_id", "app", "method"};

  static final TableDef LINK =
      TableDef.builder("l7_link")
          .entity("l7")
          .keys(LINK_KEYS)
          .labels(LINK_LABELS)
          .counter("bytes_sent", "bytes", "Bytes this process sent on the link's connections")
          .counter("bytes_recv", "bytes", "Bytes this process received on the link's connections")
          .counter("segs_sent", "calls", "Send calls (write, send, sendmsg, ...) that moved data")
          .counter("segs_recv", "calls", "Receive calls (read, recv, recvmsg, ...) that moved data")
          .build();

  static final TableDef RPC =
      rpc(TableDef.builder("l7_rpc").entity("l7").keys(LINK_KEYS).labels(LINK_LABELS)).build();

  static final TableDef RPC_API =
      rpc(TableDef.builder("l7_rpc_api")
              .entity("l7_api")
              .keys(LINK_KEYS)
              .keys("api")
              .labels(LINK_LABELS))
          .gauge(
              "client_err_ratio",
              "ratio",
              "Responses in the last period that refused the request, per response")
          .gauge(
              "server_err_ratio",
              "ratio",
              "Responses in the last period that reported a server failure, per response")
          .counter(
              "client_err_count",
              "responses",
              "Responses that refused the request (HTTP 4xx, SQL errors, WRONGTYPE)")
          .counter(
              "server_err_count",
              "responses",
              "Responses that reported a server failure (HTTP 5xx, OOM, Kafka)")
          .build();

  /**
   * gala-gopher's redis_sli/redis_max_sli and pg_sli/pg_max_sli in one table (app tells them
   * apart): two tables of one entity with the same metric names would repeat a metric family in the
   * Prometheus exposition.
   */
  static final TableDef SLI =
      TableDef.builder("sli")
          .entity("sli")
          .keys(SLI_KEYS)
          .labels("server_ip", "server_port", "client_ip", "client_port")
          .gauge(
              "rtt_nsec",
              "ns",
              "Mean time from reading a request to writing its response, last period")
          .gauge(
              "max_rtt_nsec",
              "ns",
              "Longest time from reading a request to writing its response, last period")
          .build();

  static final TableDef PG_TPS =
      TableDef.builder("pg_tps")
          .entity("sli")
          .keys(SLI_KEYS)
          .labels("server_ip", "server_port", "datname")
          .gauge(
              "tps",
              "transactions/s",
              "Transactions committed per second in the last period, as xact_commit counts")
          .counter(
              "commit_count",
              "transactions",
              "Transactions committed (COMMIT, or work outside a block), cumulative")
          .build();

  static final List<TableDef> ALL = List.of(LINK, RPC, RPC_API, SLI, PG_TPS);

  private L7Tables() {}

  private static TableDef.Builder rpc(TableDef.Builder b) {
    return b.gauge("throughput_req", "requests/s", "Requests per second in the last period")
        .gauge("throughput_resp", "responses/s", "Responses per second in the last period")
        .counter("req_count", "requests", "Requests seen, cumulative")
        .counter("resp_count", "responses", "Responses matched to a request, cumulative")
        .gauge("latency_avg", "ns", "Mean request-to-response time in the last period")
        .histogram("latency", "seconds", "Request start to response end, log-linear buckets")
        .counter("latency_sum", "ns", "Sum of request-to-response times, cumulative")
        .gauge("err_ratio", "ratio", "Error responses per response in the last period")
        .counter("err_count", "responses", "Error responses, cumulative");
  }
}
