package io.gala.server.topology;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Groups the processes of one host into application instances, the workers of one service: a
 * process joins its parent when both have the same comm in the same container (postgres backends
 * under their postmaster, nginx workers under their master), and processes with the same comm in
 * the same container that accept connections on the same server port are one instance (backends
 * seen only through their connections). Every process belongs to exactly one instance; most are
 * alone in theirs.
 */
final class AppInstanceGrouper {
  /**
   * One instance: its stable key (comm and lowest server port, else comm and root tgid) and
   * members.
   */
  record Group(
      String key,
      String comm,
      String containerId,
      String rootTgid,
      List<String> members,
      List<Integer> ports) {}

  private AppInstanceGrouper() {}

  static List<Group> group(Map<String, ProcFacts> procs) {
    Map<String, String> parent = new HashMap<>();
    procs.keySet().forEach(t -> parent.put(t, t));
    for (ProcFacts p : procs.values()) {
      ProcFacts up = procs.get(p.field("ppid"));
      if (up != null && up != p && sameService(p, up)) {
        union(parent, p.tgid, up.tgid);
      }
    }
    Map<String, String> byPort = new HashMap<>();
    for (ProcFacts p : procs.values()) {
      for (int port : p.serverPorts) {
        String k = p.field("container_id") + '\0' + p.field("comm") + '\0' + port;
        String other = byPort.putIfAbsent(k, p.tgid);
        if (other != null) {
          union(parent, p.tgid, other);
        }
      }
    }
    Map<String, List<String>> members = new TreeMap<>();
    for (String t : procs.keySet()) {
      members.computeIfAbsent(find(parent, t), k -> new ArrayList<>()).add(t);
    }
    List<Group> out = new ArrayList<>(members.size());
    for (List<String> m : members.values()) {
      m.sort(
          Comparator.comparingLong(AppInstanceGrouper::numeric)
              .thenComparing(Comparator.naturalOrder()));
      String root = root(m, procs);
      ProcFacts r = procs.get(root);
      List<Integer> ports =
          m.stream().flatMap(t -> procs.get(t).serverPorts.stream()).distinct().sorted().toList();
      String comm = r.field("comm").isEmpty() ? "unknown" : r.field("comm");
      String key = comm + '_' + (ports.isEmpty() ? root : String.valueOf(ports.get(0)));
      out.add(new Group(key, comm, r.field("container_id"), root, List.copyOf(m), ports));
    }
    return out;
  }

  private static boolean sameService(ProcFacts a, ProcFacts b) {
    return !a.field("comm").isEmpty()
        && a.field("comm").equals(b.field("comm"))
        && a.field("container_id").equals(b.field("container_id"));
  }

  /** The member whose parent is outside the group (the master); the lowest tgid when unclear. */
  private static String root(List<String> members, Map<String, ProcFacts> procs) {
    for (String t : members) {
      if (!members.contains(procs.get(t).field("ppid"))) {
        return t;
      }
    }
    return members.get(0);
  }

  private static long numeric(String tgid) {
    try {
      return Long.parseLong(tgid);
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }

  private static String find(Map<String, String> parent, String x) {
    String r = x;
    while (!parent.get(r).equals(r)) {
      r = parent.get(r);
    }
    while (!parent.get(x).equals(r)) {
      String next = parent.get(x);
      parent.put(x, r);
      x = next;
    }
    return r;
  }

  private static void union(Map<String, String> parent, String a, String b) {
    String ra = find(parent, a);
    String rb = find(parent, b);
    if (!ra.equals(rb)) {
      parent.put(ra, rb);
    }
  }
}
