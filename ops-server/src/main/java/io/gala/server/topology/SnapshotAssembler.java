package io.gala.server.topology;

import io.gala.server.ingest.EntityIds;
import io.gala.server.topology.ConnectionMatcher.LinkEnd;
import io.gala.server.topology.ConnectionMatcher.Peer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds one snapshot from what every live agent reports: entities become nodes, the fields that
 * name another entity become runs_on and belongs_to edges, processes are grouped into application
 * instances, the two ends of each connection are matched (is_peer) and lifted to connect edges
 * between processes, instances, containers and hosts. Nodes and edges equal to the previous
 * snapshot's are reused, so a history of snapshots shares what did not change. One instance per
 * snapshot.
 */
final class SnapshotAssembler {
  private final Snapshot previous;
  private final Map<String, Node> nodes = new HashMap<>();
  private final Map<String, Edge> edges = new HashMap<>();
  private final List<LinkEnd> links = new ArrayList<>();
  private final Map<String, String> appOfProc = new HashMap<>();
  private final Map<String, String> containerOfProc = new HashMap<>();
  private final Map<String, String> hostOfMachine = new HashMap<>();
  private final Map<String, String> hostOfIp = new HashMap<>();
  private final List<Observation> remoteFileSystems = new ArrayList<>();

  SnapshotAssembler(Snapshot previous) {
    this.previous = previous;
  }

  Snapshot assemble(long timestampMillis, Map<String, List<Observation>> byMachine) {
    byMachine.forEach(this::addHost);
    for (Peer p : ConnectionMatcher.match(links)) {
      connect(p);
    }
    for (Observation fs : remoteFileSystems) {
      String storage = hostOfIp.get(storageIp(fs));
      String host = hostOfMachine.get(fs.machineId());
      if (storage != null && !storage.equals(host)) {
        edge(Relation.STORE_IN, host, storage, fs.field(mountField(fs)));
      }
    }
    return new Snapshot(timestampMillis, nodes, edges);
  }

  /**
   * The host's id is the id of the agent's keyless {@code host} table: {@code <machine_id>_host}.
   */
  static String hostId(String machineId) {
    return EntityIds.of(machineId, "host");
  }

  static String procId(String machineId, String tgid) {
    return EntityIds.of(machineId, "proc", tgid);
  }

  private void addHost(String mid, List<Observation> observed) {
    String host = hostId(mid);
    hostOfMachine.put(mid, host);
    Map<String, String> hostFields = new LinkedHashMap<>();
    hostFields.put("machine_id", mid);
    String ip = mid.substring(mid.lastIndexOf('-') + 1);
    if (!ip.isEmpty() && ip.length() < mid.length()) {
      hostFields.put("host_ip", ip);
      hostOfIp.putIfAbsent(ip, host);
    }
    Map<String, ProcFacts> procs = new LinkedHashMap<>();
    for (Observation o : observed) {
      switch (o.type()) {
        case HOST -> {
          o.fields().forEach(hostFields::putIfAbsent);
          for (String a : o.field("ip_addr").split("[,; ]+")) {
            if (!a.isEmpty()) {
              hostOfIp.putIfAbsent(a, host);
            }
          }
        }
        case PROC -> facts(procs, o.field("tgid")).describe(o.fields(), true);
        case TCP_LINK -> addLink(mid, o, procs);
        case ENDPOINT, THREAD, L7, SLI -> {
          node(o);
          String tgid = o.field("tgid");
          if (!tgid.isEmpty()) {
            ProcFacts p = facts(procs, tgid);
            p.describe(o.fields(), false);
            if (o.type() == EntityType.ENDPOINT && isServer(o.field("role"))) {
              addPort(p, o.field("server_port"));
            }
            edge(Relation.BELONGS_TO, o.id(), procId(mid, tgid), "");
          }
        }
        case BLOCK -> belongsToDevice(o, host, EntityType.DISK, "disk_name");
        case DISK, NIC, CPU, FS -> {
          node(o);
          edge(Relation.BELONGS_TO, o.id(), host, "");
          if (o.type() == EntityType.FS && !storageIp(o).isEmpty()) {
            remoteFileSystems.add(o);
          }
        }
        case QDISC -> belongsToDevice(o, host, EntityType.NIC, "dev_name");
        case CONTAINER -> addContainer(mid, host, o.field("container_id"), o.fields());
        case POD -> {
          node(o);
          edge(Relation.RUNS_ON, o.id(), host, "");
        }
        default -> {}
      }
    }
    node(new Node(host, EntityType.HOST, mid, hostFields));
    addProcesses(mid, host, procs);
  }

  /**
   * A block on its disk, a qdisc on its nic: the device is implied by a field and belongs to the
   * host.
   */
  private void belongsToDevice(Observation o, String host, EntityType deviceType, String field) {
    node(o);
    String name = o.field(field);
    if (!name.isEmpty()) {
      String device = derived(o.machineId(), deviceType, field, name);
      edge(Relation.BELONGS_TO, o.id(), device, "");
      edge(Relation.BELONGS_TO, device, host, "");
    }
  }

  private void addLink(String mid, Observation o, Map<String, ProcFacts> procs) {
    node(o);
    String tgid = o.field("tgid");
    String proc = "";
    boolean server = isServer(o.field("role"));
    if (!tgid.isEmpty()) {
      ProcFacts p = facts(procs, tgid);
      p.describe(o.fields(), false);
      proc = procId(mid, tgid);
      edge(Relation.BELONGS_TO, o.id(), proc, "");
      if (server) {
        addPort(p, o.field("server_port"));
      }
    }
    if (server || isClient(o.field("role"))) {
      links.add(
          new LinkEnd(
              mid,
              o.id(),
              proc,
              !server,
              o.field("client_ip"),
              o.field("client_port"),
              o.field("server_ip"),
              o.field("server_port"),
              o.field("toa_client_ip")));
    }
  }

  private void addProcesses(String mid, String host, Map<String, ProcFacts> procs) {
    for (ProcFacts p : procs.values()) {
      String id = procId(mid, p.tgid);
      node(new Node(id, EntityType.PROC, mid, p.fields));
      edge(Relation.RUNS_ON, id, host, "");
      String cid = p.field("container_id");
      if (!cid.isEmpty()) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("container_id", cid);
        for (String f : new String[] {"container_name", "pod", "pod_id", "pod_namespace"}) {
          if (!p.field(f).isEmpty()) {
            fields.put(f, p.field(f));
          }
        }
        String container = addContainer(mid, host, cid, fields);
        edge(Relation.BELONGS_TO, id, container, "");
        containerOfProc.put(id, container);
      }
    }
    for (AppInstanceGrouper.Group g : AppInstanceGrouper.group(procs)) {
      String app =
          EntityIds.of(
              mid,
              "appinstance",
              g.containerId().isEmpty() ? g.key() : g.containerId() + "_" + g.key());
      Map<String, String> fields = new LinkedHashMap<>();
      fields.put("comm", g.comm());
      fields.put("root_tgid", g.rootTgid());
      if (!g.ports().isEmpty()) {
        fields.put(
            "server_ports", String.join(",", g.ports().stream().map(String::valueOf).toList()));
      }
      String cmdline = procs.get(g.rootTgid()).field("cmdline");
      if (!cmdline.isEmpty()) {
        fields.put("cmdline", cmdline);
      }
      if (!g.containerId().isEmpty()) {
        fields.put("container_id", g.containerId());
      }
      node(new Node(app, EntityType.APPINSTANCE, mid, fields));
      edge(Relation.RUNS_ON, app, host, "");
      for (String tgid : g.members()) {
        String proc = procId(mid, tgid);
        edge(Relation.BELONGS_TO, proc, app, "");
        appOfProc.put(proc, app);
      }
    }
  }

  private String addContainer(String mid, String host, String cid, Map<String, String> fields) {
    String id = EntityIds.of(mid, "container", cid);
    Node existing = nodes.get(id);
    if (existing == null || existing.attributes().size() < fields.size()) {
      node(new Node(id, EntityType.CONTAINER, mid, fields));
    }
    edge(Relation.RUNS_ON, id, host, "");
    String pod = fields.getOrDefault("pod_id", fields.getOrDefault("pod", ""));
    if (!pod.isEmpty()) {
      String podId = derived(mid, EntityType.POD, "pod_id", pod);
      edge(Relation.BELONGS_TO, id, podId, "");
      edge(Relation.RUNS_ON, podId, host, "");
    }
    return id;
  }

  /** is_peer between the two links, then connect between everything the two ends belong to. */
  private void connect(Peer p) {
    LinkEnd c = p.client();
    LinkEnd s = p.server();
    edge(Relation.IS_PEER, c.linkId(), s.linkId(), s.serverIp() + ':' + s.serverPort());
    String port = s.serverPort();
    if (!c.procId().isEmpty() && !s.procId().isEmpty()) {
      lift(c.procId(), s.procId(), port);
      lift(appOfProc.get(c.procId()), appOfProc.get(s.procId()), port);
      lift(containerOfProc.get(c.procId()), containerOfProc.get(s.procId()), port);
    }
    lift(hostOfMachine.get(c.machineId()), hostOfMachine.get(s.machineId()), port);
  }

  private void lift(String from, String to, String port) {
    if (from != null && to != null && !from.equals(to)) {
      edge(Relation.CONNECT, from, to, port);
    }
  }

  private ProcFacts facts(Map<String, ProcFacts> procs, String tgid) {
    return procs.computeIfAbsent(tgid, ProcFacts::new);
  }

  private static void addPort(ProcFacts p, String port) {
    try {
      int n = Integer.parseInt(port);
      if (n > 0) {
        p.serverPorts.add(n);
      }
    } catch (NumberFormatException e) {
      // A server_port that is not a number names no port to group by.
    }
  }

  /**
   * A node implied by another entity's field (a block's disk), unless the agent reported it itself.
   */
  private String derived(String mid, EntityType type, String field, String value) {
    String id = EntityIds.of(mid, type.label(), value);
    if (!nodes.containsKey(id)) {
      node(new Node(id, type, mid, Map.of(field, value)));
    }
    return id;
  }

  private void node(Observation o) {
    node(new Node(o.id(), o.type(), o.machineId(), o.fields()));
  }

  private void node(Node n) {
    Node old = previous.node(n.id());
    nodes.put(n.id(), n.equals(old) ? old : n);
  }

  private void edge(Relation type, String from, String to, String detail) {
    Edge e = new Edge(type, from, to, detail);
    String key = e.key();
    Edge old = previous.edges().get(key);
    edges.put(key, old != null ? old : e);
  }

  /** "server", or gala-gopher's 0, or the kernel-side enum's 2 (TCP_ROLE_SERVER of tcp.h). */
  static boolean isServer(String role) {
    return role.equals("0") || role.equals("2") || role.toLowerCase(Locale.ROOT).equals("server");
  }

  static boolean isClient(String role) {
    return role.equals("1") || role.toLowerCase(Locale.ROOT).equals("client");
  }

  /**
   * The address of the server a network file system (nfs, cifs, ceph, glusterfs) lives on, else "".
   */
  static String storageIp(Observation fs) {
    String type =
        fs.field(fs.fields().containsKey("Fstype") ? "Fstype" : "fstype").toLowerCase(Locale.ROOT);
    if (!(type.startsWith("nfs")
        || type.equals("cifs")
        || type.equals("ceph")
        || type.contains("gluster"))) {
      return "";
    }
    String source = fs.field(fs.fields().containsKey("Fsname") ? "Fsname" : "fsname");
    if (source.startsWith("//")) {
      int end = source.indexOf('/', 2);
      return end < 0 ? source.substring(2) : source.substring(2, end);
    }
    int colon = source.indexOf(":/");
    return colon <= 0 ? "" : source.substring(0, colon).replaceAll("^\\[|\\]$", "");
  }

  private static String mountField(Observation fs) {
    return fs.fields().containsKey("MountOn") ? "MountOn" : "mount_point";
  }
}
