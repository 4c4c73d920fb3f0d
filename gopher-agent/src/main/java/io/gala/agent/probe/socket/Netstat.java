package io.gala.agent.probe.socket;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The TcpExt counters of one network namespace that split a listener's SYN-time drops by cause,
 * read from {@code /proc/<pid>/net/netstat} of a process inside the namespace (pairs of header and
 * value lines, as nstat reads them).
 *
 * @param listenOverflows TcpExtListenOverflows: connection requests dropped for a full accept queue
 * @param reqQFullDrop TcpExtTCPReqQFullDrop: SYNs dropped for a full SYN queue without syncookies
 */
record Netstat(long listenOverflows, long reqQFullDrop) {
  /** Parses the file's text; absent counters read as 0. */
  static Netstat parse(List<String> lines) {
    Map<String, Long> tcpExt = new HashMap<>();
    for (int i = 0; i + 1 < lines.size(); i++) {
      String[] names = lines.get(i).trim().split("\\s+");
      String[] values = lines.get(i + 1).trim().split("\\s+");
      if (!names[0].equals("TcpExt:")
          || !values[0].equals("TcpExt:")
          || names.length != values.length) {
        continue;
      }
      for (int j = 1; j < names.length; j++) {
        tcpExt.put(names[j], Long.parseLong(values[j]));
      }
      break;
    }
    return new Netstat(
        tcpExt.getOrDefault("ListenOverflows", 0L), tcpExt.getOrDefault("TCPReqQFullDrop", 0L));
  }

  /** The namespace's counters as seen by process pid; null when the process is gone. */
  static Netstat of(Path proc, long pid) {
    try {
      return parse(
          Files.readAllLines(proc.resolve(Long.toString(pid)).resolve("net").resolve("netstat")));
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
