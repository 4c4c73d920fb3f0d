package io.gala.agent.probe.io;

import static io.gala.agent.probe.io.Layouts.BLOCK_STATS;
import static io.gala.agent.probe.io.Layouts.DEV_KEY;
import static io.gala.agent.probe.io.Layouts.IO_DISCARD;
import static io.gala.agent.probe.io.Layouts.IO_FLUSH;
import static io.gala.agent.probe.io.Layouts.IO_READ;
import static io.gala.agent.probe.io.Layouts.IO_WRITE;
import static io.gala.agent.probe.io.Layouts.PROC_IO_STATS;
import static io.gala.agent.probe.io.Layouts.PROC_KEY;

import io.gala.agent.bpf.BpfMap;
import io.gala.agent.bpf.BpfObject;
import io.gala.agent.bpf.KernelFeatures;
import io.gala.agent.probe.Probe;
import io.gala.agent.probe.ProbeConfig;
import io.gala.agent.probe.ProbeContext;
import io.gala.agent.probe.ProbeSpec;
import io.gala.agent.probe.ProcessInfo;
import io.gala.agent.table.Histogram;
import io.gala.agent.table.LogLinearBuckets;
import io.gala.agent.table.Row;
import io.gala.agent.table.TableDef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.logging.Logger;
import jnr.ffi.Pointer;

/**
 * The {@code io} probe: block requests per disk (table {@code block}: latency, queue time, bytes
 * and requests by direction, errors) and block I/O per submitting process and disk (table {@code
 * proc_io}: each bio charged to the process that queued it, never to the kworker that may issue its
 * request). Kernel side: {@code io.bpf.c}; see docs/probes/io.md.
 */
public final class IoProbe implements Probe {
  public static final String NAME = "io";

  /** gala-gopher's io sub-probes, plus {@code proc_io} for the per-process table. */
  static final String IO_TRACE = "io_trace";

  static final String IO_ERR = "io_err";
  static final String IO_COUNT = "io_count";
  static final String PAGE_CACHE = "page_cache";
  static final String PROC_IO = "proc_io";
  private static final String[] MAPS_FULL = {"start", "bios", "blocks", "procs"};
  private static final Logger LOG = Logger.getLogger(IoProbe.class.getName());

  private final BlockDevices devices;
  private final Path proc;
  private final Set<String> disabled;
  private final PeriodMax<Long> reqMax = new PeriodMax<>();

  /** Keys (of map procs) whose process was gone at the last sample: deleted at the next one. */
  private Set<Long> exitingProcs = new HashSet<>();

  private ProbeContext context;
  private BpfObject obj;

  public IoProbe() {
    this(Set.of());
  }

  /**
   * For tests: also disables these programs, e.g. handle_io_start to act as a kernel before 6.5.
   */
  IoProbe(Set<String> disabled) {
    this.devices = new BlockDevices();
    this.proc = Path.of("/proc");
    this.disabled = Set.copyOf(disabled);
  }

  /** How the agent knows this probe: name, factory and sub-probes. */
  public static ProbeSpec spec() {
    return ProbeSpec.of(
        NAME, IoProbe::new, Set.of(IO_TRACE, IO_ERR, IO_COUNT, PAGE_CACHE, PROC_IO));
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<TableDef> tables() {
    return IoTables.ALL;
  }

  @Override
  public void start(ProbeContext ctx) {
    this.context = ctx;
    if (ctx.config().subprobes().contains(PAGE_CACHE)) {
      LOG.warning("io: sub-probe page_cache is not implemented in gala and reports nothing");
    }
    obj = BpfObject.open(NAME);
    obj.setGlobal("targ_netns", ctx.scope().netnsInode());
    boolean perProcess = ctx.config().subprobe(PROC_IO);
    obj.setGlobal("targ_per_process", perProcess ? 1 : 0);
    for (String program : IoPrograms.toDisable(KernelFeatures::tracepointArgCount, perProcess)) {
      obj.disableProgram(program);
    }
    disabled.forEach(obj::disableProgram);
    obj.load(IoPrograms.OPTIONAL);
    obj.attachAll();
    if (!obj.skippedPrograms().isEmpty()) {
      LOG.info(
          () ->
              "io: this kernel lacks "
                  + obj.skippedPrograms()
                  + "; submitters are taken from block_rq_insert/issue and error codes from block_rq_complete");
    }
  }

  @Override
  public void sample(Consumer<Row> sink) {
    ProbeConfig config = context.config();
    sampleBlocks(sink, config);
    if (config.subprobe(PROC_IO)) {
      sampleProcs(sink, config);
    }
  }

  private void sampleBlocks(Consumer<Row> sink, ProbeConfig config) {
    BpfMap blocks = obj.map("blocks");
    List<long[]> gone = new ArrayList<>();
    blocks.forEach(
        (k, v) -> {
          long major = k.getInt(DEV_KEY.major.offset()) & 0xffffffffL;
          long minor = k.getInt(DEV_KEY.first_minor.offset()) & 0xffffffffL;
          sink.accept(blockRow(major, minor, v, config));
          if (!devices.exists(major, minor)) {
            gone.add(new long[] {major, minor});
          }
        });
    for (long[] dev : gone) {
      Pointer key = blocks.newKey();
      key.putInt(DEV_KEY.major.offset(), (int) dev[0]);
      key.putInt(DEV_KEY.first_minor.offset(), (int) dev[1]);
      blocks.delete(key);
      devices.forget(dev[0], dev[1]);
      reqMax.forget(dev[0] << 20 | dev[1]);
    }
  }

  private Row blockRow(long major, long minor, Pointer v, ProbeConfig config) {
    BlockDevices.Names names = devices.names(major, minor);
    Row.Builder row =
        IoTables.BLOCK
            .row()
            .key("major", major)
            .key("first_minor", minor)
            .label("blk_name", names.blkName())
            .label("disk_name", names.diskName());
    if (config.subprobe(IO_TRACE)) {
      long[] reqSlots = slots(v, BLOCK_STATS.req);
      row.histogram(
              "latency_req",
              LogLinearBuckets.toHistogram(
                  reqSlots,
                  v.getLong(BLOCK_STATS.req.sum.offset()),
                  v.getLong(BLOCK_STATS.req.count.offset()),
                  IoTables.LATENCY))
          .histogram("latency_device", hist(v, BLOCK_STATS.latency))
          .histogram("latency_queue", hist(v, BLOCK_STATS.queue))
          .set("latency_req_max", reqMax.update(major << 20 | minor, reqSlots) / 1000.0);
    }
    if (config.subprobe(IO_COUNT)) {
      row.set("read_bytes", v.getLong(BLOCK_STATS.bytes[IO_READ].offset()))
          .set("write_bytes", v.getLong(BLOCK_STATS.bytes[IO_WRITE].offset()))
          .set("discard_bytes", v.getLong(BLOCK_STATS.bytes[IO_DISCARD].offset()))
          .set("read_ops", v.getLong(BLOCK_STATS.ops[IO_READ].offset()))
          .set("write_ops", v.getLong(BLOCK_STATS.ops[IO_WRITE].offset()))
          .set("discard_ops", v.getLong(BLOCK_STATS.ops[IO_DISCARD].offset()))
          .set("flush_ops", v.getLong(BLOCK_STATS.ops[IO_FLUSH].offset()));
    }
    if (config.subprobe(IO_ERR)) {
      row.set("err_count", v.getLong(BLOCK_STATS.err_count.offset()))
          .set("err_code", -v.getLong(BLOCK_STATS.last_errno.offset()));
    }
    return row.build();
  }

  private void sampleProcs(Consumer<Row> sink, ProbeConfig config) {
    BpfMap procs = obj.map("procs");
    Map<Long, Pointer> delete = new LinkedHashMap<>();
    Set<Long> exiting = new HashSet<>();
    procs.forEach(
        (k, v) -> {
          long tgid = k.getInt(PROC_KEY.tgid.offset()) & 0xffffffffL;
          long major = k.getInt(PROC_KEY.major.offset()) & 0xffffffffL;
          long minor = k.getInt(PROC_KEY.first_minor.offset()) & 0xffffffffL;
          long id = tgid << 32 | major << 20 | minor;
          ProcessInfo info = context.processes().get(tgid);
          if (config.snoopers().matches(tgid, info)) {
            sink.accept(procRow(tgid, major, minor, info, v));
          }
          if (!Files.exists(proc.resolve(Long.toString(tgid)))) {
            // Reported now and once more at the next sample, so that requests still in flight at
            // the exit
            // are counted; deleted then, to keep the map bounded.
            if (exitingProcs.contains(id)) {
              Pointer key = procs.newKey();
              key.put(0, toBytes(k, procs.keySize()), 0, procs.keySize());
              delete.put(id, key);
            } else {
              exiting.add(id);
            }
          }
        });
    delete.values().forEach(procs::delete);
    exitingProcs = exiting;
  }

  private Row procRow(long tgid, long major, long minor, ProcessInfo info, Pointer v) {
    return IoTables.PROC_IO
        .row()
        .key("tgid", tgid)
        .key("major", major)
        .key("first_minor", minor)
        .label("comm", info.comm())
        .label("cmdline", info.cmdline())
        .label("container_id", info.containerId())
        .label("disk_name", devices.names(major, minor).diskName())
        .histogram("bio_latency", hist(v, PROC_IO_STATS.latency))
        .set("bio_read_bytes", v.getLong(PROC_IO_STATS.bytes[IO_READ].offset()))
        .set("bio_write_bytes", v.getLong(PROC_IO_STATS.bytes[IO_WRITE].offset()))
        .set("bio_read_ops", v.getLong(PROC_IO_STATS.ops[IO_READ].offset()))
        .set("bio_write_ops", v.getLong(PROC_IO_STATS.ops[IO_WRITE].offset()))
        .set("less_4k_io_read", v.getLong(PROC_IO_STATS.small_ops[IO_READ].offset()))
        .set("less_4k_io_write", v.getLong(PROC_IO_STATS.small_ops[IO_WRITE].offset()))
        .set("greater_4k_io_read", v.getLong(PROC_IO_STATS.large_ops[IO_READ].offset()))
        .set("greater_4k_io_write", v.getLong(PROC_IO_STATS.large_ops[IO_WRITE].offset()))
        .set("bio_err_count", v.getLong(PROC_IO_STATS.err_count.offset()))
        .build();
  }

  private static byte[] toBytes(Pointer p, int size) {
    byte[] b = new byte[size];
    p.get(0, b, 0, size);
    return b;
  }

  private static long[] slots(Pointer v, Layouts.Hist h) {
    long[] s = new long[LogLinearBuckets.SLOTS];
    v.get(h.offset(), s, 0, s.length);
    return s;
  }

  private static Histogram hist(Pointer v, Layouts.Hist h) {
    return LogLinearBuckets.read(v, h.offset(), IoTables.LATENCY);
  }

  /** {@code map_full/<map>}: updates dropped because a map was full. */
  @Override
  public Map<String, Long> health() {
    if (obj == null) {
      return Map.of();
    }
    return obj.map("map_full").perCpuCounters("map_full/", MAPS_FULL);
  }

  @Override
  public void close() {
    if (obj != null) {
      obj.close();
      obj = null;
    }
  }
}
