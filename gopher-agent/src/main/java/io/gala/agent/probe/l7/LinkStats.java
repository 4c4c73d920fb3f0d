package io.gala.agent.probe.l7;

import io.gala.agent.probe.ProcessInfo;
import io.gala.agent.table.LogLinearBuckets;
import java.util.HashMap;
import java.util.Map;

/**
 * Everything counted for one link: bytes and calls per direction, requests of all apis, and requests
 * per api (bounded: apis beyond the limit share the api {@code OTHER}). Guarded by {@link L7Metrics}.
 */
final class LinkStats {
  static final String OTHER_API = "OTHER";

  final LinkKey key;
  final ProcessInfo process;
  final RpcStats rpc;
  final Map<String, RpcStats> apis = new HashMap<>();
  private final int maxApis;
  private final LogLinearBuckets.Range apiRange;
  long bytesSent;
  long bytesRecv;
  long segsSent;
  long segsRecv;
  int openConnections;
  /** Whether any I/O or exchange happened since the last sample. */
  boolean active;
  /** When the sampler last saw it active (System.nanoTime()). */
  long lastActiveNs = System.nanoTime();

  LinkStats(LinkKey key, ProcessInfo process, int maxApis, LogLinearBuckets.Range linkRange,
      LogLinearBuckets.Range apiRange) {
    this.key = key;
    this.process = process;
    this.maxApis = maxApis;
    this.apiRange = apiRange;
    this.rpc = new RpcStats(linkRange);
  }

  RpcStats api(String api) {
    RpcStats s = apis.get(api);
    if (s == null) {
      String name = apis.size() < maxApis ? api : OTHER_API;
      s = apis.computeIfAbsent(name, n -> new RpcStats(apiRange));
    }
    return s;
  }
}
