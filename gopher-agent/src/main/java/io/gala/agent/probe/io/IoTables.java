package io.gala.agent.probe.io;

import io.gala.agent.table.LogLinearBuckets.Range;
import io.gala.agent.table.TableDef;
import java.util.List;

/**
 * The tables of the {@code io} probe as data. {@code block} keeps gala-gopher's entity, keys,
 * labels and metric names ({@code io_latency}, {@code io_err}, {@code io_count} merged into one
 * table); {@code proc_io} keeps the names of gala-gopher's per-process {@code proc_io} and adds the
 * disk to the key.
 */
final class IoTables {
  /** Latency histograms: 1 us to about 4 s, 4 buckets per power of two (medians within ~10 %). */
  static final Range LATENCY = Range.nanosToSeconds(4);

  static final TableDef BLOCK =
      TableDef.builder("block")
          .keys("major", "first_minor")
          .labels("blk_name", "disk_name")
          .histogram(
              "latency_req",
              "seconds",
              "Request latency from the first block-layer event (io start, insert or issue) to completion, queueing included")
          .histogram(
              "latency_device", "seconds", "Request latency from issue to the driver to completion")
          .histogram(
              "latency_queue", "seconds", "Time requests waited in the queue, from insert to issue")
          .gauge(
              "latency_req_max",
              "us",
              "Longest request latency completed in the last sample period (upper bound of its histogram slot), 0 when idle")
          .counter("read_bytes", "bytes", "Bytes read")
          .counter("write_bytes", "bytes", "Bytes written")
          .counter("discard_bytes", "bytes", "Bytes discarded")
          .counter("read_ops", "requests", "Read requests completed")
          .counter("write_ops", "requests", "Write requests completed")
          .counter("discard_ops", "requests", "Discard requests completed")
          .counter("flush_ops", "requests", "Flush requests completed")
          .counter("err_count", "completions", "Request completions with an error status")
          .gauge(
              "err_code",
              "errno",
              "Negative errno of the last failed request (-5 EIO, -28 ENOSPC), 0 when none failed")
          .build();

  static final TableDef PROC_IO =
      TableDef.builder("proc_io")
          .entity("proc")
          .keys("tgid", "major", "first_minor")
          .labels("comm", "cmdline", "container_id", "disk_name")
          .histogram(
              "bio_latency",
              "seconds",
              "Latency of the process's block I/O, from submitting a bio (block_bio_queue) to the completion ending it")
          .counter("bio_read_bytes", "bytes", "Bytes read by bios the process submitted")
          .counter("bio_write_bytes", "bytes", "Bytes written by bios the process submitted")
          .counter("bio_read_ops", "bios", "Read bios the process submitted")
          .counter("bio_write_ops", "bios", "Write bios the process submitted")
          .counter("less_4k_io_read", "bios", "Read bios of at most 4 KiB")
          .counter("less_4k_io_write", "bios", "Write bios of at most 4 KiB")
          .counter("greater_4k_io_read", "bios", "Read bios larger than 4 KiB")
          .counter("greater_4k_io_write", "bios", "Write bios larger than 4 KiB")
          .counter("bio_err_count", "bios", "Bios of the process completed with an error status")
          .build();

  static final List<TableDef> ALL = List.of(BLOCK, PROC_IO);

  private IoTables() {}
}
