package io.gala.agent.probe.l7;

import io.gala.agent.bpf.BpfMap;
import io.gala.agent.bpf.BpfObject;
import io.gala.agent.bpf.KernelFeatures;
import io.gala.agent.bpf.RingBufferReader;
import io.gala.agent.probe.Probe;
import io.gala.agent.probe.ProbeConfig;
import io.gala.agent.probe.ProbeContext;
import io.gala.agent.probe.ProbeSpec;
import io.gala.agent.probe.ProbeSpec.ParamSpec;
import io.gala.agent.probe.l7.protocol.Protocol;
import io.gala.agent.probe.l7.protocol.StreamParser;
import io.gala.agent.probe.l7.tls.OpenSslUprobes;
import io.gala.agent.table.Row;
import io.gala.agent.table.TableDef;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.logging.Logger;
import jnr.ffi.Pointer;

/**
 * The {@code l7} probe: captures prefixes of TCP socket payloads in the kernel ({@code l7.bpf.c}),
 * detects Redis, PostgreSQL, MySQL, HTTP/1.x and Kafka, matches requests to responses, and reports
 * {@code l7_link}, {@code l7_rpc}, {@code l7_rpc_api}, the Redis and PostgreSQL SLIs, and the
 * slowest requests of each period ({@link #slowRequests()}).
 *
 * <p>Sub-probes as in gala-gopher: {@code l7_bytes_metrics} (l7_link), {@code l7_rpc_metrics}
 * (l7_rpc, l7_rpc_api, SLIs), {@code l7_rpc_trace} (slow requests). Params: {@code l7_protocol}
 * (comma-separated protocols, default all), {@code capture_bytes}, {@code max_connections}, {@code
 * ringbuf_kb}, {@code slow_requests}, {@code capture_hook} ({@code auto}, {@code sockets}, {@code
 * syscalls}), and the common {@code support_ssl} (1, the default here: TLS plaintext through
 * OpenSSL uprobes; 0: off).
 */
public final class L7Probe implements Probe {
  private static final Logger LOG = Logger.getLogger(L7Probe.class.getName());

  /** A link without connections is kept (and exported) this long: the exporter's age-out. */
  private static final long LINK_LINGER_NS = 60_000_000_000L;

  private static final List<String> SOCKET_PROGRAMS = List.of("l7_sock_send", "l7_sock_recv");
  private static final List<String> SYSCALLS =
      List.of("read", "write", "readv", "writev", "sendto", "recvfrom", "sendmsg", "recvmsg");

  /** What the control API accepts for this probe. */
  public static ProbeSpec spec() {
    return ProbeSpec.of(
        "l7",
        L7Probe::new,
        Set.of("l7_bytes_metrics", "l7_rpc_metrics", "l7_rpc_trace"),
        ParamSpec.number("capture_bytes", 0, CaptureEvent.DATA_MAX),
        ParamSpec.number("max_connections", 64, 1 << 20),
        ParamSpec.number("ringbuf_kb", 64, 256 * 1024),
        ParamSpec.number("slow_requests", 0, 1000),
        ParamSpec.text("capture_hook", 16));
  }

  private BpfObject obj;
  private RingBufferReader reader;
  private Connections connections;
  private L7Metrics metrics;
  private SnoopedProcesses snooped;
  private ProbeConfig config;
  private BpfMap conns;
  private BpfMap snoopBits;
  private Pointer verdictKey;
  private Pointer verdictValue;
  private BpfMap verdictSlots;
  private Pointer slotKey;
  private Pointer slotValue;
  private final byte[] payload = new byte[CaptureEvent.DATA_MAX];
  private final EventAddresses addresses = new EventAddresses();
  private String hook = "";
  private OpenSslUprobes tls;

  @Override
  public String name() {
    return "l7";
  }

  @Override
  public List<TableDef> tables() {
    return L7Tables.ALL;
  }

  @Override
  public void start(ProbeContext context) {
    config = context.config();
    Set<Protocol> protocols = protocols(config.param("l7_protocol", ""));
    int capture = (int) Math.min(config.param("capture_bytes", 1024), CaptureEvent.DATA_MAX);
    int maxConnections = (int) config.param("max_connections", 65536);
    metrics =
        new L7Metrics(
            new L7Metrics.Limits(4096, 64, 16384, 4096, LINK_LINGER_NS),
            (int) config.param("slow_requests", 10));
    snooped =
        new SnoopedProcesses(config.snoopers(), context.processes(), context.scope(), this::snoop);

    obj = BpfObject.open("l7");
    obj.setGlobal("targ_netns", context.scope().netnsInode());
    obj.setGlobal("targ_snoop", snooped.active() ? 1 : 0);
    obj.setGlobal("targ_capture_bytes", capture);
    obj.resizeMap("conns", maxConnections);
    obj.resizeMap("events", ringBufferBytes(config.param("ringbuf_kb", 8192)));
    chooseHook(config.param("capture_hook", "auto"));
    obj.load(Set.of());
    obj.attachAll();
    if (config.param("support_ssl", 1) != 0) {
      tls = new OpenSslUprobes(obj);
      tls.attachSystemLibrary();
    }

    conns = obj.map("conns");
    snoopBits = obj.map("snoop_bits");
    verdictKey = conns.newKey();
    verdictValue = conns.newValue();
    verdictSlots = obj.map("verdicts");
    slotKey = verdictSlots.newKey();
    slotValue = verdictSlots.newValue();
    connections =
        new Connections(
            metrics,
            context.processes(),
            protocols,
            new StreamParser.Limits(Math.max(16 * 1024, 4 * capture), 256),
            maxConnections,
            this::ignore);
    snooped.refresh();
    reader = new RingBufferReader(obj.map("events"), this::onRecord);
    LOG.info(
        () -> "l7: capturing " + capture + " bytes per I/O through " + hook + " for " + protocols);
  }

  private void chooseHook(String wanted) {
    boolean sockets =
        switch (wanted) {
          case "sockets" -> true;
          case "syscalls" -> false;
          case "auto", "" ->
              KernelFeatures.hasAttachTarget("tp_btf/sock_send_length")
                  && KernelFeatures.hasAttachTarget("tp_btf/sock_recv_length");
          default ->
              throw new IllegalArgumentException(
                  "l7: params.capture_hook must be auto, sockets or syscalls, not " + wanted);
        };
    hook = sockets ? "sock_send_length/sock_recv_length" : "syscall tracepoints";
    if (sockets) {
      for (String s : SYSCALLS) {
        obj.disableProgram("l7_enter_" + s);
        obj.disableProgram("l7_exit_" + s);
      }
    } else {
      SOCKET_PROGRAMS.forEach(obj::disableProgram);
    }
  }

  static Set<Protocol> protocols(String param) {
    if (param.isBlank()) {
      return EnumSet.allOf(Protocol.class);
    }
    Set<Protocol> out = EnumSet.noneOf(Protocol.class);
    for (String name : param.split(",")) {
      Protocol p = Protocol.ofLabel(name);
      if (p == null) {
        throw new IllegalArgumentException(
            "l7: params.l7_protocol names an unknown protocol '"
                + name.strip()
                + "'; known: redis, pgsql, mysql, http, kafka");
      }
      out.add(p);
    }
    return out;
  }

  /** Ring buffer size: a power of two of at least one page, as the kernel requires. */
  private static int ringBufferBytes(long kb) {
    long bytes = Math.max(4096, kb * 1024);
    return (int) Math.min(Integer.highestOneBit((int) Math.min(bytes, 1 << 30)), 1 << 30);
  }

  private void onRecord(Pointer p, int size) {
    int kind = p.getByte(CaptureEvent.KIND);
    long sock = p.getLong(CaptureEvent.SOCK);
    synchronized (this) {
      if (connections == null) {
        return;
      }
      if (kind == CaptureEvent.CLOSE) {
        connections.onClose(sock);
        return;
      }
      int captured =
          Math.min(
              Math.min(p.getInt(CaptureEvent.CAPTURED), size - CaptureEvent.SIZE),
              CaptureEvent.DATA_MAX);
      captured = Math.max(captured, 0);
      p.get(CaptureEvent.SIZE, payload, 0, captured);
      addresses.event = p;
      connections.onData(
          sock,
          p.getInt(CaptureEvent.TGID) & 0xffffffffL,
          p.getLong(CaptureEvent.TS_NS),
          kind == CaptureEvent.SEND,
          payload,
          captured,
          p.getInt(CaptureEvent.LEN) & 0xffffffffL,
          addresses);
      addresses.event = null;
    }
  }

  /** Reads what the event being handled says about a new connection, only when one needs it. */
  private static final class EventAddresses implements Connections.NewConnection {
    Pointer event;

    @Override
    public String local() {
      return CaptureEvent.address(event, CaptureEvent.SADDR);
    }

    @Override
    public int localPort() {
      return event.getShort(CaptureEvent.SPORT) & 0xffff;
    }

    @Override
    public String remote() {
      return CaptureEvent.address(event, CaptureEvent.DADDR);
    }

    @Override
    public int remotePort() {
      return event.getShort(CaptureEvent.DPORT) & 0xffff;
    }

    @Override
    public int slot() {
      return event.getInt(CaptureEvent.SLOT);
    }

    @Override
    public String comm() {
      return isNew() ? CaptureEvent.comm(event) : "";
    }

    @Override
    public long parentTgid() {
      return isNew() ? event.getInt(CaptureEvent.PTGID) & 0xffffffffL : 0;
    }

    private boolean isNew() {
      return (event.getByte(CaptureEvent.FLAGS) & CaptureEvent.FLAG_NEW) != 0;
    }
  }

  /**
   * Tells the kernel to send nothing more for this socket: in map conns, and in the socket's slot
   * of the verdict cache, which the kernel checks first (a slot another socket took meanwhile just
   * sends that one to its conns entry).
   */
  private void ignore(long sock, int slot) {
    verdictKey.putLong(0, sock);
    verdictValue.putInt(0, CaptureEvent.VERDICT_IGNORE);
    verdictValue.putInt(4, 0);
    try {
      conns.update(verdictKey, verdictValue);
      if (slot >= 0 && slot < CaptureEvent.VERDICT_SLOTS) {
        slotKey.putInt(0, slot);
        slotValue.putLong(0, sock);
        verdictSlots.update(slotKey, slotValue);
      }
    } catch (RuntimeException e) {
      LOG.fine(() -> "l7: could not mark socket ignored: " + e.getMessage());
    }
  }

  /**
   * Sets the process's bit in the kernel's snoop bitmap (l7.h L7_SNOOP_WORDS words of 64 tgids).
   */
  private void snoop(long tgid) {
    if (tgid <= 0 || tgid >= 64L * CaptureEvent.SNOOP_WORDS) {
      return;
    }
    Pointer key = snoopBits.newKey();
    Pointer value = snoopBits.newValue();
    key.putInt(0, (int) (tgid / 64));
    snoopBits.lookup(key, value);
    // The kernel may set a bit of the same word on fork meanwhile; losing that race loses one
    // child.
    value.putLong(0, value.getLong(0) | 1L << (tgid % 64));
    snoopBits.update(key, value);
    if (tls != null) {
      tls.offerProcess(tgid);
    }
  }

  @Override
  public void sample(Consumer<Row> sink) {
    if (snooped.active()) {
      snooped.refresh();
    }
    boolean bytes = config.subprobe("l7_bytes_metrics");
    boolean rpc = config.subprobe("l7_rpc_metrics");
    metrics.sample(
        row -> {
          boolean link = row.table() == L7Tables.LINK;
          if (link ? bytes : rpc) {
            sink.accept(row);
          }
        });
  }

  /**
   * The slowest requests of the last sample period, slowest first (empty unless l7_rpc_trace is
   * on).
   */
  public List<SlowRequest> slowRequests() {
    return metrics == null || !config.subprobe("l7_rpc_trace") ? List.of() : metrics.slowRequests();
  }

  @Override
  public Map<String, Long> health() {
    Map<String, Long> h = new LinkedHashMap<>();
    if (obj == null) {
      return h;
    }
    h.putAll(obj.map("counters").perCpuCounters("", CaptureEvent.COUNTERS));
    if (reader != null) {
      h.put("handler_errors", reader.handlerErrors());
    }
    synchronized (this) {
      if (connections != null) {
        h.putAll(connections.health());
      }
    }
    h.putAll(metrics.health());
    if (tls != null) {
      h.putAll(tls.health());
    }
    return h;
  }

  @Override
  public void close() {
    if (reader != null) {
      reader.close();
      reader = null;
    }
    synchronized (this) {
      if (connections != null) {
        connections.closeAll();
        connections = null;
      }
    }
    if (obj != null) {
      obj.close();
      obj = null;
    }
  }
}
