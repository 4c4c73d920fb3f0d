package io.gala.agent.probe.io;

import io.gala.agent.table.LogLinearBuckets.Range;
import io.gala.agent.table.TableDef;
import java.util.List;

/**
 * The tables of the {@code io} probe as data. {@code block} keeps gala-gopher's entity, keys, labels and
 * metric names ({@code io_latency}, {@code io_err}, {@code io_count} merged into one table); {@code proc_io}
 * keeps the names of gala-gopher's per-process {@code proc_io} and adds the disk to the key.
 */
final class IoTables {
  /** Latency histograms: 1 us to about 4 s, 4 buckets per power of two (medians within ~10 %). */
  static final Range LATENCY = Range.nanosToSeconds(4);

  static final TableDef BLOCK = TableDef.builder("block")
      .keys("major", "first_minor")
      .labels("blk_name", "disk_name")
      .histogram("latency_req", "seconds",
          "Request latency from the first block-layer event (io start, insert or issue) to completion, queueing included")
      .histogram("latency_device", "seconds", "Request latency from issue to the driver to completion")
      .histogram("latency_queue", "seconds", "Time requests waited in the queue, from insert to issue")
      .gauge("latency_req_max", "us",
          "Longest request latency completed in the last sample period (upper bound of its histogram slot), 0 when idle")
      .counter("read_bytes", "bytes", "Bytes read")
      .counter("write_bytes", "bytes", "Bytes written")
      .counter("discard_bytes", "bytes", "Bytes discarded")
      .counter("read_ops", "requests", "Read requests completed")
      .counter("write_ops", "requests", "Write requests completed")
      .counter("discard_ops", "requests", "Discard requests completed")
      .counter("flush_ops", "requests", "Flush requests completed")
      .counter("err_count", "completions", "Request completions with an error status")
      .gauge("err_code", "errno", "Negative errno of the last failed request (-5 = EIO), 0 when none failed")
      .build();

  static final TableDef PROC_IO = TableDef.builder("proc_io")
      .entity("proc")
      .keys("tgid", "major", "first_minor")
      .labels("comm", "cmdline", "container_id", "disk_name")
      .histogram("bio_latency", "seconds",
          "Latency of the process's block requests, from the first block-layer event to completion")
      .counter("bio_read_bytes", "bytes", "Bytes read by block requests the process submitted")
      .counter("bio_write_bytes", "bytes", "Bytes written by block requests the process submitted")
      .counter("bio_read_ops", "requests", "Read requests the process submitted")
      .counter("bio_write_ops", "requests", "Write requests the process submitted")
      .counter("less_4k_io_read", "requests", "Read requests of at most 4 KiB")
      .counter("less_4k_io_write", "requests", "Write requests of at most 4 KiB")
      .counter("greater_4k_io_read", "requests", "Read requests larger than 4 KiB")
      .counter("greater_4k_io_write", "requests", "Write requests larger than 4 KiB")
      .counter("bio_err_count", "completions", "Completions with an error status of the process's requests")
      .build();

  static final List<TableDef> ALL = List.of(BLOCK, PROC_IO);

  private IoTables() {}
}
