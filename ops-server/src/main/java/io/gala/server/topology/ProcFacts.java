package io.gala.server.topology;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * What one host's records say about a process (tgid): its fields from the proc tables and, where
 * those are missing, from the tgid-keyed records that mention it (tcp_link, endpoint, ...), plus
 * the server ports it accepted connections on. Mutable while a snapshot is assembled.
 */
final class ProcFacts {
  final String tgid;
  final Map<String, String> fields = new LinkedHashMap<>();
  final TreeSet<Integer> serverPorts = new TreeSet<>();

  ProcFacts(String tgid) {
    this.tgid = tgid;
    fields.put("tgid", tgid);
  }

  /** Adds the fields the process is described by, without overwriting what the proc tables said. */
  void describe(Map<String, String> from, boolean authoritative) {
    for (String f : PROC_FIELDS) {
      String v = from.get(f);
      if (v != null && !v.isEmpty() && (authoritative || !fields.containsKey(f))) {
        fields.put(f, v);
      }
    }
  }

  String field(String name) {
    return fields.getOrDefault(name, "");
  }

  static final String[] PROC_FIELDS = {
    "comm",
    "cmdline",
    "exe",
    "ppid",
    "pgid",
    "container_id",
    "container_name",
    "pod",
    "pod_id",
    "pod_namespace"
  };
}
