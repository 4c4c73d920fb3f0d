package io.gala.agent.probe.l7;

import io.gala.agent.table.Row;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Redis kernel tests' two sides: the server's own INFO commandstats, and the probe's counts per
 * command.
 */
final class RedisCommandStats {
  private RedisCommandStats() {}

  /**
   * INFO commandstats through {@code redis-cli} with the given connection arguments, as command ->
   * calls, upper-cased, subcommands (config|get) under their command.
   */
  static Map<String, Long> read(List<String> cliArgs) throws Exception {
    List<String> command = new ArrayList<>(List.of("redis-cli"));
    command.addAll(cliArgs);
    command.addAll(List.of("info", "commandstats"));
    Map<String, Long> out = new HashMap<>();
    for (String line : Servers.run(command).split("\r?\n")) {
      if (line.startsWith("cmdstat_")) {
        String cmd = line.substring(8, line.indexOf(':')).split("\\|")[0].toUpperCase();
        long calls = Long.parseLong(line.replaceAll("^[^:]*:calls=(\\d+),.*", "$1"));
        out.merge(cmd, calls, Long::sum);
      }
    }
    return out;
  }

  /** Requests per api of one process in one role, summed over its l7_rpc_api rows. */
  static Map<String, Double> apiCounts(List<Row> rows, long tgid, String role) {
    Map<String, Double> out = new HashMap<>();
    for (Row r : rows) {
      if (r.table() == L7Tables.RPC_API
          && r.key("tgid").equals(Long.toString(tgid))
          && r.key("l7_role").equals(role)) {
        out.merge(r.key("api"), r.value("req_count"), Double::sum);
      }
    }
    return out;
  }
}
