package io.gala.agent.probe.tcp;

import io.gala.agent.bpf.BpfException;
import io.gala.agent.bpf.BpfIterator;
import io.gala.agent.bpf.BpfMap;
import io.gala.agent.bpf.BpfObject;
import io.gala.agent.bpf.RingBufferReader;
import io.gala.agent.net.NetnsFiles;
import io.gala.agent.probe.Probe;
import io.gala.agent.probe.ProbeConfig;
import io.gala.agent.probe.ProbeContext;
import io.gala.agent.probe.ProbeSpec;
import io.gala.agent.probe.ProbeSpec.ParamSpec;
import io.gala.agent.probe.ProcessInfo;
import io.gala.agent.probe.Scope;
import io.gala.agent.table.Row;
import io.gala.agent.table.TableDef;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Logger;
import jnr.ffi.Pointer;

/**
 * The {@code tcp} probe: a {@code tcp_link} series set per TCP connection (srtt, rto, cwnd, bytes,
 * segments, retransmits, RSTs, zero windows, connect latency and failures, drops by kernel reason),
 * read from tcp.bpf.c every sample. Connections closed between two samples are reported once with
 * their final counters. Scoped to one network namespace, it sees only that namespace's connections.
 *
 * <p>Sub-probes ({@code cmd.probe}, gala-gopher names): {@code tcp_rtt} (srtt histogram) and {@code
 * tcp_windows} (zero windows) need a program on every received segment; {@code tcp_abnormal} (RSTs,
 * drops) one on every dropped packet. The rest comes from the per-sample iterator at no per-packet
 * cost. Params: {@code max_links} (connections alive at once, default 65536), {@code max_drops}.
 */
public final class TcpProbe implements Probe {
  private static final Logger LOG = Logger.getLogger(TcpProbe.class.getName());
  public static final String NAME = "tcp";
  static final Set<String> SUBPROBES =
      Set.of(
          "tcp_abnormal",
          "tcp_rtt",
          "tcp_windows",
          "tcp_srtt",
          "tcp_rate",
          "tcp_sockbuf",
          "tcp_stats",
          "tcp_delay");

  /**
   * Programs this probe runs without when the kernel lacks their hook (5.10 has no
   * sock_send_length).
   */
  static final Set<String> OPTIONAL_PROGRAMS =
      Set.of(
          "handle_send_length",
          "handle_recv_length",
          "handle_tcp_probe",
          "handle_send_reset",
          "handle_receive_reset",
          "handle_kfree_skb");

  /**
   * Final records waiting for the next sample; beyond this (a stalled sampler) they are counted and
   * lost.
   */
  /**
   * Final records held between two samples, by their size: 32 MB is about 4.5 s of a 10k
   * connections/s storm seen from both ends (about 350 bytes per record, about twice that once
   * decoded at the sample), beyond which records are counted lost: more would not fit a 256 MB
   * heap.
   */
  private static final long CLOSED_QUEUE_MAX_BYTES = 32L << 20;

  private static final long RESCAN_MILLIS = 10_000;
  private static final int DEFAULT_FOLD_THRESHOLD = 256;
  private static final long FOLD_QUIET_MILLIS = 120_000;

  /** enum tcp_counter of tcp.h, as health counter names. */
  private static final String[] KERNEL_COUNTERS = {
    "map_full/links", "map_full/listeners", "events_lost", "drops_unparsed"
  };

  private final ConcurrentLinkedQueue<byte[]> closedQueue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicLong closedLost = new AtomicLong();
  private final AtomicLong ownerUnknown = new AtomicLong();
  private final AtomicLong netnsUnreadable = new AtomicLong();
  private final AtomicLong lateRstUnmatched = new AtomicLong();
  private final InodeOwners inodeOwners =
      new InodeOwners(Path.of("/proc"), RESCAN_MILLIS, System::currentTimeMillis);
  private final NetnsFiles netnsFiles =
      new NetnsFiles(Path.of("/proc"), RESCAN_MILLIS, System::currentTimeMillis);
  private final long ownNetns = Scope.inode(Path.of("/proc/self/ns/net"));

  private ProbeContext context;
  private BpfObject obj;
  private BpfIterator links;
  private RingBufferReader ring;
  private DropReasons reasons;
  private LinkRows.Coverage coverage;

  /**
   * Owners resolved from /proc by socket inode, by socket address; only sockets seen at the last
   * sample.
   */
  private Map<Long, Long> resolvedOwners = new HashMap<>();

  /**
   * Final records of the previous sample by socket address, for a RST sent just after the final
   * record.
   */
  private Map<Long, TcpRecord> lastFinals = Map.of();

  /** Sockets reported alive at the last sample: their final records keep their own series. */
  private Map<Long, Tuple> liveAtLastSample = Map.of();

  private ShortLinkRollup rollup = new ShortLinkRollup(DEFAULT_FOLD_THRESHOLD, FOLD_QUIET_MILLIS);

  /** What the agent's catalog and the control API know about this probe: sub-probes and params. */
  public static ProbeSpec spec() {
    return ProbeSpec.of(
        NAME,
        TcpProbe::new,
        SUBPROBES,
        ParamSpec.number("max_links", 1024, 4_194_304),
        ParamSpec.number("max_drops", 1024, 1_048_576),
        ParamSpec.number("fold_short_links_over", 0, 1_000_000));
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<TableDef> tables() {
    return TcpLinkTable.ALL;
  }

  @Override
  public void start(ProbeContext ctx) {
    this.context = ctx;
    load(ctx);
    reasons = DropReasons.ofRunningKernel();
    ring = new RingBufferReader(obj.map("closed"), this::onClosedRecord);
    obj.attachAll();
    links = obj.iterator("read_links");
    seed(ctx.scope());
  }

  /** Opens tcp.bpf.o with the scope, sub-probes and params of the context, and loads it. */
  private void load(ProbeContext ctx) {
    ProbeConfig cfg = ctx.config();
    boolean rtt = cfg.subprobe("tcp_rtt");
    boolean windows = cfg.subprobe("tcp_windows");
    boolean abnormal = cfg.subprobe("tcp_abnormal");
    obj = BpfObject.open(NAME);
    obj.setGlobal("targ_netns", ctx.scope().netnsInode());
    obj.setGlobal("targ_srtt_hist", rtt ? 1 : 0);
    obj.setGlobal("targ_zero_window", windows ? 1 : 0);
    if (!rtt && !windows) {
      obj.disableProgram("handle_tcp_probe");
    }
    if (!abnormal) {
      obj.disableProgram("handle_kfree_skb");
      obj.disableProgram("handle_send_reset");
      obj.disableProgram("handle_receive_reset");
    }
    obj.resizeMap("links", (int) cfg.param("max_links", 65536));
    rollup =
        new ShortLinkRollup(
            (int) cfg.param("fold_short_links_over", DEFAULT_FOLD_THRESHOLD), FOLD_QUIET_MILLIS);
    obj.resizeMap("drops", (int) cfg.param("max_drops", 16384));
    obj.load(OPTIONAL_PROGRAMS);
    List<String> skipped = obj.skippedPrograms();
    if (!skipped.isEmpty()) {
      LOG.info(
          () ->
              "tcp: running without "
                  + skipped
                  + (loaded(skipped, "handle_send_length")
                      ? ""
                      : "; socket owners are the connect()/listen() callers and the /proc fd holders"));
    }
    coverage =
        new LinkRows.Coverage(
            abnormal && loaded(skipped, "handle_kfree_skb"),
            abnormal
                && loaded(skipped, "handle_send_reset")
                && loaded(skipped, "handle_receive_reset"),
            windows && loaded(skipped, "handle_tcp_probe"));
  }

  /**
   * Tracks the connections that exist now and gives listeners their owners, in every namespace in
   * scope.
   */
  private void seed(Scope scope) {
    inodeOwners.rescan();
    long scoped = scope.netnsInode();
    if (!scope.isHost() && scoped != ownNetns && netnsFiles.find(scoped) == null) {
      throw new IllegalStateException(
          "tcp: cannot enter network namespace "
              + scoped
              + " of the agent's scope: no /run/netns entry and no process found in it; check the scope");
    }
    List<TcpRecord> ignored = new ArrayList<>();
    for (long ns : scope.isHost() ? netnsFiles.all() : Set.of(scoped)) {
      readNamespace(ns, ignored);
    }
  }

  private static boolean loaded(List<String> skipped, String program) {
    return skipped.stream().noneMatch(p -> p.startsWith(program + " "));
  }

  /** Ring buffer thread: keeps the final record for the next sample. */
  private void onClosedRecord(Pointer data, int size) {
    if ((long) queued.get() * size >= CLOSED_QUEUE_MAX_BYTES) {
      closedLost.incrementAndGet();
      return;
    }
    byte[] copy = new byte[size];
    data.get(0, copy, 0, size);
    closedQueue.add(copy);
    queued.incrementAndGet();
  }

  @Override
  public void sample(Consumer<Row> sink) {
    List<TcpRecord> finals = drainFinals();
    List<TcpRecord> live = new ArrayList<>();
    for (long ns : namespacesToRead()) {
      readNamespace(ns, live);
    }
    DropCounts drops = readDrops();
    Map<Long, Long> owners = new HashMap<>();
    Map<Long, TcpRecord> finalBySock = new HashMap<>();
    long now = System.currentTimeMillis();
    ShortLinkRollup.Period shortLived = rollup.period(now);
    for (TcpRecord r : finals) {
      finalBySock.put(r.sock(), r);
      // By address and tuple: the kernel hands a freed socket's memory to the next connection at
      // once, so in a storm a new short connection often has the address of one seen alive last
      // time.
      if (r.tuple().equals(liveAtLastSample.get(r.sock()))) {
        emit(r, drops, owners, sink);
      } else {
        List<Row> rows = new ArrayList<>(2);
        emit(r, drops, owners, rows::add);
        shortLived.offer(rows, sink);
      }
    }
    shortLived.finish(sink);
    Map<Long, Tuple> liveNow = new HashMap<>();
    for (TcpRecord r : live) {
      TcpRecord fin = finalBySock.get(r.sock());
      // Closed between the iterator's read and the drain: the final record already said it all.
      if (fin == null || !fin.tuple().equals(r.tuple())) {
        emit(r, drops, owners, sink);
        liveNow.put(r.sock(), r.tuple());
      }
    }
    rollup.emit(sink, now);
    forgetDrops(finals, drops);
    resolvedOwners = owners;
    lastFinals = finalBySock;
    liveAtLastSample = liveNow;
  }

  private void emit(TcpRecord r, DropCounts drops, Map<Long, Long> owners, Consumer<Row> sink) {
    long tgid = owner(r);
    if (tgid != 0) {
      owners.put(r.sock(), tgid);
    }
    ProcessInfo info = tgid == 0 ? ProcessInfo.unknown(0) : context.processes().get(tgid);
    if (!context.config().snoopers().matches(tgid, info)) {
      return;
    }
    Tuple t = r.tuple();
    LinkRows.emit(r, t, tgid, info, drops.of(t), coverage, sink);
  }

  /**
   * The kernel's owner, else the one resolved earlier, else the process holding the socket's inode.
   */
  private long owner(TcpRecord r) {
    long tgid = r.link().tgid();
    if (tgid != 0) {
      return tgid;
    }
    Long known = resolvedOwners.get(r.sock());
    if (known != null) {
      return known;
    }
    tgid = inodeOwners.owner(r.ino());
    if (tgid == 0) {
      ownerUnknown.incrementAndGet();
    }
    return tgid;
  }

  /** Final records since the last sample, with RSTs sent after them folded in. */
  private List<TcpRecord> drainFinals() {
    Map<Long, Integer> index = new HashMap<>();
    List<TcpRecord> finals = new ArrayList<>();
    byte[] raw;
    while ((raw = closedQueue.poll()) != null) {
      queued.decrementAndGet();
      TcpRecord r = TcpRecord.decode(ByteBuffer.wrap(raw).order(ByteOrder.nativeOrder()), 0);
      if (r.kind() == TcpRecord.CLOSED) {
        index.put(r.sock(), finals.size());
        finals.add(r);
      } else if (r.kind() == TcpRecord.RST_AFTER_CLOSE) {
        Integer i = index.get(r.sock());
        if (i != null) {
          finals.set(i, finals.get(i).withOneMoreRstSent());
        } else if (lastFinals.containsKey(r.sock())) {
          // Reported last sample already: report it again with the RST.
          index.put(r.sock(), finals.size());
          finals.add(lastFinals.get(r.sock()).withOneMoreRstSent());
        } else {
          lateRstUnmatched.incrementAndGet();
        }
      }
    }
    return finals;
  }

  /** The namespace itself when scoped; else every namespace the kernel side saw a connection in. */
  private List<Long> namespacesToRead() {
    Scope scope = context.scope();
    if (!scope.isHost()) {
      return List.of(scope.netnsInode());
    }
    List<Long> out = new ArrayList<>();
    obj.map("netns_seen").forEach((k, v) -> out.add(k.getInt(0) & 0xffffffffL));
    return out;
  }

  /**
   * Runs the iterator in one namespace: live records into out, listener owners resolved on the way.
   */
  private void readNamespace(long netns, List<TcpRecord> out) {
    ByteBuffer b = namespaceBuffer(netns);
    if (b == null) {
      netnsUnreadable.incrementAndGet();
      if (context.scope().isHost()) {
        // Gone, or left with neither a process nor a bind mount: stop looking for it until it has a
        // new one.
        deleteU32(obj.map("netns_seen"), netns);
      }
      return;
    }
    for (int at = 0; at + TcpRecord.SIZE <= b.limit(); at += TcpRecord.SIZE) {
      TcpRecord r = TcpRecord.decode(b, at);
      if (r.kind() == TcpRecord.LISTENER) {
        resolveListener(r);
      } else {
        out.add(r);
      }
    }
  }

  private ByteBuffer namespaceBuffer(long netns) {
    if (netns == ownNetns) {
      return links.read();
    }
    for (int attempt = 0; attempt < 2; attempt++) {
      Path file = netnsFiles.find(netns);
      if (file == null) {
        return null;
      }
      try {
        return links.read(file);
      } catch (BpfException e) {
        // The process whose /proc/<pid>/ns/net we used has exited: find another way in.
        netnsFiles.invalidate(netns);
      }
    }
    return null;
  }

  /**
   * A listener whose owner the kernel does not know (it existed before the probe): ask /proc once.
   */
  private void resolveListener(TcpRecord r) {
    if (r.link().tgid() != 0 || r.ino() == 0) {
      return;
    }
    long tgid = inodeOwners.owner(r.ino());
    if (tgid == 0) {
      return;
    }
    BpfMap listeners = obj.map("listeners");
    Pointer key = listeners.newKey();
    key.putInt(0, (int) r.link().netns());
    key.putInt(4, r.lport());
    Pointer value = listeners.newValue();
    value.putInt(0, (int) tgid);
    listeners.update(key, value);
  }

  private DropCounts readDrops() {
    DropCounts counts = new DropCounts(reasons);
    if (coverage.drops()) {
      obj.map("drops")
          .forEach(
              (k, v) -> {
                byte[] key = new byte[DropCounts.KEY_SIZE];
                k.get(0, key, 0, key.length);
                counts.add(key, v.getLong(0));
              });
    }
    return counts;
  }

  /** A closed connection's drops were reported with its final record: free their entries. */
  private void forgetDrops(List<TcpRecord> finals, DropCounts drops) {
    if (drops.tuples() == 0) {
      return;
    }
    BpfMap map = obj.map("drops");
    Pointer key = map.newKey();
    for (TcpRecord r : finals) {
      for (byte[] k : drops.keysOf(r.tuple())) {
        key.put(0, k, 0, k.length);
        map.delete(key);
      }
    }
  }

  private static void deleteU32(BpfMap map, long value) {
    Pointer key = map.newKey();
    key.putInt(0, (int) value);
    map.delete(key);
  }

  @Override
  public Map<String, Long> health() {
    Map<String, Long> h = new LinkedHashMap<>();
    if (obj != null) {
      h.putAll(obj.map("counters").perCpuCounters("", KERNEL_COUNTERS));
    }
    h.put("events_lost_queue", closedLost.get());
    h.put("owner_unknown", ownerUnknown.get());
    h.put("netns_unreadable", netnsUnreadable.get());
    h.put("late_rst_unmatched", lateRstUnmatched.get());
    h.put("proc_fd_scans", inodeOwners.scans());
    h.put("short_links_folded", rollup.foldedConnections());
    return h;
  }

  @Override
  public void close() {
    if (ring != null) {
      ring.close();
      ring = null;
    }
    if (obj != null) {
      obj.close();
      obj = null;
    }
  }
}
