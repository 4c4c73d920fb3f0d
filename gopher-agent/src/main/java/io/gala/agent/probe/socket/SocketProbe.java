package io.gala.agent.probe.socket;

import io.gala.agent.bpf.BpfException;
import io.gala.agent.bpf.BpfIterator;
import io.gala.agent.bpf.BpfMap;
import io.gala.agent.bpf.BpfObject;
import io.gala.agent.bpf.KernelFeatures;
import io.gala.agent.net.NetnsFiles;
import io.gala.agent.probe.Probe;
import io.gala.agent.probe.ProbeContext;
import io.gala.agent.probe.ProbeSpec;
import io.gala.agent.probe.ProcessInfo;
import io.gala.agent.probe.Scope;
import io.gala.agent.probe.socket.EndpointRows.Owner;
import io.gala.agent.table.Row;
import io.gala.agent.table.TableDef;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;
import java.util.logging.Logger;
import jnr.ffi.Pointer;

/**
 * The {@code socket} probe: TCP endpoints ({@code endpoint_tcp}). A listen address gets one row
 * (role {@code server}) with its listen drops split by cause, passive opens, SYN-ACK retransmits
 * and queue lengths; a process gets one row per local address and remote service it connects to
 * (role {@code client}) with opens, failures and SYN retransmits. Kernel side in {@code
 * socket.bpf.c}; the listeners' queues and drop counters are read with iter/tcp in each network
 * namespace that has listeners. A listener that closed gets one final row.
 */
public final class SocketProbe implements Probe {
  static final String NAME = "socket";

  /**
   * gala-gopher's sub-probes of {@code socket}: TCP endpoints (this probe) and UDP endpoints (not
   * implemented).
   */
  static final String TCP_SOCKET = "tcp_socket";

  static final String UDP_SOCKET = "udp_socket";
  private static final Logger LOG = Logger.getLogger(SocketProbe.class.getName());
  private static final String[] MAPS_FULL = {"listeners", "drops", "clients"};
  private static final long RESCAN_MILLIS = 10_000;

  private final Path proc;
  private final ToIntFunction<String> tracepointArgs;
  private final SocketOwners owners;
  private final NetnsFiles netnsPaths;
  private final ListenDropAccounts accounts = new ListenDropAccounts();
  private final SynDropSplit split = new SynDropSplit();
  private final Map<ListenAddress, Owner> lastOwners = new HashMap<>();
  private Set<Long> listenerNetns = Set.of();
  private ProbeContext context;
  private DropReasons reasons;
  private BpfObject obj;
  private BpfIterator iterator;
  private long ownNetns;
  private long iteratorFailures;

  public SocketProbe() {
    this(Path.of("/proc"), KernelFeatures::tracepointArgCount);
  }

  /**
   * For tests: a /proc, and the tracepoint argument counts that pick the programs (older kernels).
   */
  SocketProbe(Path proc, ToIntFunction<String> tracepointArgs) {
    this.proc = proc;
    this.tracepointArgs = tracepointArgs;
    this.owners = new SocketOwners(proc, RESCAN_MILLIS, System::currentTimeMillis);
    this.netnsPaths = new NetnsFiles(proc, 0, System::currentTimeMillis);
  }

  public static ProbeSpec spec() {
    return ProbeSpec.of(NAME, SocketProbe::new, Set.of(TCP_SOCKET, UDP_SOCKET));
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<TableDef> tables() {
    return EndpointTables.ALL;
  }

  @Override
  public void start(ProbeContext ctx) {
    this.context = ctx;
    if (ctx.config().subprobes().contains(UDP_SOCKET)) {
      LOG.warning(
          "socket: sub-probe udp_socket (endpoint_udp) is not implemented in gala and reports nothing");
    }
    if (!ctx.config().subprobe(TCP_SOCKET)) {
      return;
    }
    this.ownNetns = Scope.netnsOfPid(ProcessHandle.current().pid());
    this.reasons = DropReasons.of(KernelFeatures::enumerators);
    obj = BpfObject.open(NAME);
    obj.setGlobal("targ_netns", ctx.scope().netnsInode());
    for (String program : SocketPrograms.toDisable(tracepointArgs)) {
      obj.disableProgram(program);
    }
    obj.load(SocketPrograms.OPTIONAL);
    obj.attachAll();
    if (!obj.skippedPrograms().isEmpty()) {
      LOG.info(
          () ->
              "socket: this kernel lacks "
                  + obj.skippedPrograms()
                  + "; listen drops are not split by drop reason and count every sk_drops increment");
    }
    iterator = obj.iterator("dump_listeners");
    // Listeners that predate the probe: registered in the kernel map by the iterator, counted from
    // now.
    owners.rescan();
    Set<Long> namespaces =
        new HashSet<>(ctx.scope().isHost() ? netnsPaths.all() : Set.of(ctx.scope().netnsInode()));
    if (ctx.scope().isHost()) {
      namespaces.add(ownNetns);
    }
    Map<Long, List<ListenerSocket>> seen = readNamespaces(namespaces);
    for (Map.Entry<Long, List<ListenerSocket>> ns : seen.entrySet()) {
      Map<ListenAddress, List<ListenerSocket>> live = byAddress(ns.getValue());
      live.forEach((a, socks) -> accounts.update(a, ListenCounters.NONE, sumDrops(socks, 0), true));
      split.split(ns.getKey(), netstat(ns.getKey(), live, Map.of()), 0, Map.of());
    }
    listenerNetns = withListeners(seen);
  }

  @Override
  public void sample(Consumer<Row> sink) {
    if (obj == null) {
      return;
    }
    sampleListeners(sink);
    sampleClients(sink);
  }

  private void sampleListeners(Consumer<Row> sink) {
    // The map first, then the sockets: a socket closing in between then shows nowhere for one
    // sample
    // (accounts never go down) rather than twice.
    BpfMap listenerMap = obj.map("listeners");
    Map<ListenAddress, ListenCounters> counters = new LinkedHashMap<>();
    listenerMap.forEach(
        (k, v) ->
            counters.put(
                ListenAddress.read(buffer(k, ListenAddress.SIZE), 0),
                ListenCounters.read(buffer(v, ListenCounters.SIZE))));
    Map<ListenAddress, Map<Long, Long>> dropped = readDrops();

    Set<Long> namespaces = new HashSet<>(listenerNetns);
    counters.keySet().forEach(a -> namespaces.add(a.netns()));
    Map<Long, List<ListenerSocket>> read = readNamespaces(namespaces);
    listenerNetns = withListeners(read);

    Map<ListenAddress, List<ListenerSocket>> live = new HashMap<>();
    read.values().forEach(l -> live.putAll(byAddress(l)));
    Set<ListenAddress> all = new HashSet<>(live.keySet());
    counters.keySet().stream().filter(a -> read.containsKey(a.netns())).forEach(all::add);

    for (ListenAddress a : all) {
      if (!live.containsKey(a)) {
        counters.put(
            a, finalCounters(listenerMap, a, counters.getOrDefault(a, ListenCounters.NONE)));
      }
    }
    account(all, counters, live);

    for (ListenAddress a : all) {
      List<ListenerSocket> socks = live.get(a);
      ListenCounters k = counters.getOrDefault(a, ListenCounters.NONE);
      Owner owner = owner(a, socks, k);
      emitListener(sink, a, owner, k, socks, dropped.getOrDefault(a, Map.of()));
      if (socks == null) {
        forgetListener(listenerMap, a, dropped.getOrDefault(a, Map.of()).keySet());
      }
    }
    for (long ns : read.keySet()) {
      if (!listenerNetns.contains(ns)) {
        split.forget(ns);
      }
    }
  }

  /** Brings every address's listen drops up to date, SYN-time ones split by cause per namespace. */
  private void account(
      Set<ListenAddress> all,
      Map<ListenAddress, ListenCounters> counters,
      Map<ListenAddress, List<ListenerSocket>> live) {
    Map<Long, Map<ListenAddress, Long>> synDrops = new HashMap<>();
    Map<Long, Long> ackOverflows = new HashMap<>();
    for (ListenAddress a : all) {
      ListenCounters k = counters.getOrDefault(a, ListenCounters.NONE);
      ListenDropAccounts.Fresh fresh =
          accounts.update(a, k, sumDrops(live.getOrDefault(a, List.of()), k.closedDrops()), false);
      synDrops.computeIfAbsent(a.netns(), n -> new HashMap<>()).put(a, fresh.synDrops());
      ackOverflows.merge(a.netns(), fresh.ackOverflows(), Long::sum);
    }
    synDrops.forEach(
        (ns, drops) -> {
          Netstat now = netstat(ns, live, counters);
          split.split(ns, now, ackOverflows.getOrDefault(ns, 0L), drops).forEach(accounts::assign);
        });
  }

  /**
   * The counters of a listener that stopped, read again: its last socket's close may have come
   * since.
   */
  private static ListenCounters finalCounters(
      BpfMap listenerMap, ListenAddress a, ListenCounters fallback) {
    Pointer key = listenerMap.newKey();
    key.put(0, a.toBytes(), 0, ListenAddress.SIZE);
    Pointer value = listenerMap.newValue();
    return listenerMap.lookup(key, value)
        ? ListenCounters.read(buffer(value, ListenCounters.SIZE))
        : fallback;
  }

  private void forgetListener(BpfMap listenerMap, ListenAddress a, Set<Long> reasonsSeen) {
    Pointer key = listenerMap.newKey();
    key.put(0, a.toBytes(), 0, ListenAddress.SIZE);
    listenerMap.delete(key);
    BpfMap dropMap = obj.map("drops");
    for (long reason : reasonsSeen) {
      Pointer dk = dropMap.newKey();
      dk.put(Layouts.LISTEN_DROP_KEY.listener.offset(), a.toBytes(), 0, ListenAddress.SIZE);
      dk.putInt(Layouts.LISTEN_DROP_KEY.reason.offset(), (int) reason);
      dropMap.delete(dk);
    }
    accounts.forget(a);
    lastOwners.remove(a);
  }

  private void emitListener(
      Consumer<Row> sink,
      ListenAddress a,
      Owner owner,
      ListenCounters k,
      List<ListenerSocket> socks,
      Map<Long, Long> dropped) {
    ProcessInfo info = context.processes().get(owner.tgid());
    if (!context.config().snoopers().matches(owner.tgid(), info)) {
      return;
    }
    ListenDropAccounts.Drops d = accounts.drops(a);
    sink.accept(EndpointRows.server(a, owner, info, d, k, socks == null ? List.of() : socks));
    EndpointRows.drops(a, owner, info, d, dropped, reasons).forEach(sink);
  }

  /** The holders of the address's sockets; the caller of listen() when /proc shows none. */
  private Owner owner(ListenAddress a, List<ListenerSocket> socks, ListenCounters k) {
    if (socks == null) {
      return lastOwners.getOrDefault(a, new Owner(k.ownerTgid(), false));
    }
    Set<Long> holders = new java.util.TreeSet<>();
    for (ListenerSocket s : socks) {
      holders.addAll(owners.of(s.ino()));
    }
    Owner o;
    if (holders.isEmpty()) {
      o = new Owner(k.ownerTgid(), false);
    } else if (holders.size() == 1) {
      o = new Owner(holders.iterator().next(), false);
    } else {
      // gala-gopher's convention for a listener shared by several processes (prefork servers).
      o = new Owner(owners.processGroup(holders.iterator().next()), true);
    }
    lastOwners.put(a, o);
    return o;
  }

  /** The namespace's TcpExt counters, through a process inside it; null when none is readable. */
  private Netstat netstat(
      long netns,
      Map<ListenAddress, List<ListenerSocket>> live,
      Map<ListenAddress, ListenCounters> counters) {
    if (netns == ownNetns) {
      return Netstat.of(proc, ProcessHandle.current().pid());
    }
    Set<Long> candidates = new java.util.LinkedHashSet<>();
    live.forEach(
        (a, socks) -> {
          if (a.netns() == netns) {
            socks.forEach(s -> candidates.addAll(owners.of(s.ino())));
          }
        });
    counters.forEach(
        (a, k) -> {
          if (a.netns() == netns && k.ownerTgid() != 0) {
            candidates.add(k.ownerTgid());
          }
        });
    for (long pid : candidates) {
      if (Scope.netnsOfPid(pid) == netns) {
        Netstat n = Netstat.of(proc, pid);
        if (n != null) {
          return n;
        }
      }
    }
    return null;
  }

  /**
   * The listening sockets of each namespace that could be read; a namespace that no longer exists
   * reads as empty (its listeners are gone), one that failed for another reason is left out
   * (nothing about it is concluded this sample).
   */
  private Map<Long, List<ListenerSocket>> readNamespaces(Set<Long> namespaces) {
    Map<Long, List<ListenerSocket>> out = new HashMap<>();
    for (long ns : namespaces) {
      try {
        if (ns == ownNetns) {
          out.put(ns, ListenerSocket.parseAll(iterator.read()));
          continue;
        }
        Path file = netnsPaths.find(ns);
        if (file != null && Scope.inode(file) != ns) {
          // A process's ns file, and the process exited (or its pid was reused): look for another
          // way in.
          netnsPaths.invalidate(ns);
          file = netnsPaths.find(ns);
        }
        out.put(ns, file == null ? List.of() : ListenerSocket.parseAll(iterator.read(file)));
      } catch (BpfException e) {
        iteratorFailures++;
        LOG.warning(
            "socket: cannot read the listeners of network namespace " + ns + ": " + e.getMessage());
      }
    }
    return out;
  }

  private Map<ListenAddress, Map<Long, Long>> readDrops() {
    Map<ListenAddress, Map<Long, Long>> out = new HashMap<>();
    Layouts.ListenDropKey l = Layouts.LISTEN_DROP_KEY;
    obj.map("drops")
        .forEach(
            (k, v) -> {
              ByteBuffer key = buffer(k, ListenAddress.SIZE + 8);
              out.computeIfAbsent(
                      ListenAddress.read(key, (int) l.listener.offset()), a -> new HashMap<>())
                  .put(key.getInt((int) l.reason.offset()) & 0xffffffffL, v.getLong(0));
            });
    return out;
  }

  private void sampleClients(Consumer<Row> sink) {
    BpfMap clients = obj.map("clients");
    List<byte[]> gone = new ArrayList<>();
    clients.forEach(
        (k, v) -> {
          ClientEndpoint e = ClientEndpoint.read(buffer(k, ClientEndpoint.SIZE));
          ClientCounters c = ClientCounters.read(buffer(v, ClientCounters.SIZE));
          ProcessInfo info = context.processes().get(e.tgid());
          if (context.config().snoopers().matches(e.tgid(), info)) {
            sink.accept(EndpointRows.client(e, info, c));
          }
          if (!Files.exists(proc.resolve(Long.toString(e.tgid())))) {
            // Its final values were just reported; the map keeps only live processes.
            gone.add(e.toBytes());
          }
        });
    for (byte[] k : gone) {
      Pointer key = clients.newKey();
      key.put(0, k, 0, k.length);
      clients.delete(key);
    }
  }

  private static Map<ListenAddress, List<ListenerSocket>> byAddress(List<ListenerSocket> sockets) {
    Map<ListenAddress, List<ListenerSocket>> out = new LinkedHashMap<>();
    sockets.forEach(s -> out.computeIfAbsent(s.address(), a -> new ArrayList<>()).add(s));
    return out;
  }

  private static long sumDrops(List<ListenerSocket> sockets, long closed) {
    long n = closed;
    for (ListenerSocket s : sockets) {
      n += s.drops();
    }
    return n;
  }

  private static Set<Long> withListeners(Map<Long, List<ListenerSocket>> read) {
    Set<Long> out = new HashSet<>();
    read.forEach(
        (ns, l) -> {
          if (!l.isEmpty()) {
            out.add(ns);
          }
        });
    return out;
  }

  private static ByteBuffer buffer(Pointer p, int size) {
    byte[] b = new byte[size];
    p.get(0, b, 0, size);
    return ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
  }

  /** {@code map_full/<map>}: updates dropped because a map was full; {@code iterator_failed}. */
  @Override
  public Map<String, Long> health() {
    if (obj == null) {
      return Map.of();
    }
    BpfMap full = obj.map("map_full");
    Map<String, Long> out = new LinkedHashMap<>();
    for (int i = 0; i < MAPS_FULL.length; i++) {
      out.put("map_full/" + MAPS_FULL[i], full.sumOverCpus(i));
    }
    out.put("iterator_failed", iteratorFailures);
    return out;
  }

  @Override
  public void close() {
    if (obj != null) {
      obj.close();
      obj = null;
    }
  }
}
