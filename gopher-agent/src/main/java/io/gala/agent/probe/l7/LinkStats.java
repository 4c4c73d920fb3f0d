package io.gala.agent.probe.l7;

import io.gala.agent.probe.ProcessInfo;
import io.gala.agent.table.LogLinearBuckets;
import java.util.HashMap;
import java.util.Map;

/**
 * Everything counted for one link: bytes and calls per direction, requests of all apis, and
 * requests per api (bounded: apis beyond the limit share the api {@code OTHER}). Guarded by {@link
 * L7Metrics}.
 */
final class LinkStats {
  static final String OTHER_API = "OTHER";

  final LinkKey key;
  final ProcessInfo process;
  final RpcStats rpc;
  final Map<String, RpcStats> apis = new HashMap<>();
  private final int maxApis;
  private final LogLinearBuckets.Range apiRange;
  final IoCounts io = new IoCounts();
  int openConnections;

  /** Whether any I/O or exchange happened since the last sample. */
  boolean active;

  /** When the sampler last saw it active (System.nanoTime()). */
  long lastActiveNs = System.nanoTime();

  LinkStats(
      LinkKey key,
      ProcessInfo process,
      int maxApis,
      LogLinearBuckets.Range linkRange,
      LogLinearBuckets.Range apiRange) {
    this.key = key;
    this.process = process;
    this.maxApis = maxApis;
    this.apiRange = apiRange;
    this.rpc = new RpcStats(linkRange);
  }

  /**
   * The stats of an api, created on first use while this link has room and the agent-wide budget
   * allows (each holds a 2 KiB histogram); beyond that apis share {@code OTHER}, and null when even
   * that cannot be created.
   */
  RpcStats api(String api, java.util.function.BooleanSupplier budget) {
    RpcStats s = apis.get(api);
    if (s != null) {
      return s;
    }
    String name = apis.size() < maxApis ? api : OTHER_API;
    s = apis.get(name);
    if (s == null && budget.getAsBoolean()) {
      s = new RpcStats(apiRange);
      apis.put(name, s);
    }
    return s;
  }
}
