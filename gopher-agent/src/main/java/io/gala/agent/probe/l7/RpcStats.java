package io.gala.agent.probe.l7;

import io.gala.agent.probe.l7.protocol.Exchange;
import io.gala.agent.probe.l7.protocol.Status;
import io.gala.agent.table.LogLinearBuckets;
import io.gala.agent.table.Row;

/**
 * Request/response counters and the latency distribution of one link or one api of a link:
 * cumulative counts, plus the counts at the last sample so that per-period gauges (throughput, mean
 * latency, error ratio) come from the difference.
 */
final class RpcStats {
  private final LogLinearBuckets.Range range;
  private final long[] slots = new long[LogLinearBuckets.SLOTS];
  private long requests;
  private long responses;
  private long clientErrors;
  private long serverErrors;
  private long latencySum;
  private final long[] mark = new long[5];

  RpcStats(LogLinearBuckets.Range range) {
    this.range = range;
  }

  void record(Exchange e) {
    requests++;
    if (e.status() == Status.NO_RESPONSE) {
      return;
    }
    responses++;
    long latency = e.latencyNs();
    latencySum += latency;
    slots[LogLinearBuckets.slot(latency)]++;
    if (e.status() == Status.CLIENT_ERROR) {
      clientErrors++;
    } else if (e.status() == Status.SERVER_ERROR) {
      serverErrors++;
    }
  }

  /** Whether anything happened since the last {@link #fill}. */
  boolean changed() {
    return requests != mark[0] || responses != mark[1];
  }

  /** Sets this table row's metrics over the period of {@code seconds}, then starts a new period. */
  void fill(Row.Builder row, double seconds, boolean splitErrors) {
    long dReq = requests - mark[0];
    long dResp = responses - mark[1];
    long dClient = clientErrors - mark[2];
    long dServer = serverErrors - mark[3];
    long dLatency = latencySum - mark[4];
    long errors = clientErrors + serverErrors;
    row.set("throughput_req", seconds > 0 ? dReq / seconds : 0)
        .set("throughput_resp", seconds > 0 ? dResp / seconds : 0)
        .set("req_count", requests)
        .set("resp_count", responses)
        .set("latency_avg", dResp > 0 ? (double) dLatency / dResp : Double.NaN)
        .histogram("latency", LogLinearBuckets.toHistogram(slots, latencySum, responses, range))
        .set("latency_sum", latencySum)
        .set("err_ratio", dResp > 0 ? (double) (dClient + dServer) / dResp : Double.NaN)
        .set("err_count", errors);
    if (splitErrors) {
      row.set("client_err_ratio", dResp > 0 ? (double) dClient / dResp : Double.NaN)
          .set("server_err_ratio", dResp > 0 ? (double) dServer / dResp : Double.NaN)
          .set("client_err_count", clientErrors)
          .set("server_err_count", serverErrors);
    }
    mark[0] = requests;
    mark[1] = responses;
    mark[2] = clientErrors;
    mark[3] = serverErrors;
    mark[4] = latencySum;
  }

  long requests() {
    return requests;
  }

  long responses() {
    return responses;
  }

  long latencySum() {
    return latencySum;
  }
}
