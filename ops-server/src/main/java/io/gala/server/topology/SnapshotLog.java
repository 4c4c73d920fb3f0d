package io.gala.server.topology;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The snapshot history on disk: append-only segment files {@code topology-<ms>.seg} under a data
 * directory, each a magic header, one full snapshot, then the deltas that follow it. Every record
 * is {@code [int length][int crc32][payload]} and forced to disk when written, so a crash loses at
 * most the record being written: on load a torn or corrupt tail is cut off (and counted) and the
 * rest kept. Retention deletes whole segments.
 */
final class SnapshotLog implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotLog.class);
  private static final byte[] MAGIC = "GALATOP1".getBytes(StandardCharsets.US_ASCII);
  private static final int MAX_RECORD = 512 << 20;

  /** A segment read back: its file, its full snapshot and its deltas in order. */
  record Segment(Path file, Snapshot base, List<SnapshotDelta> deltas) {}

  private final Path dir;
  private FileChannel current;
  private Path currentFile;
  private long corruptRecords;

  SnapshotLog(Path dir) throws IOException {
    this.dir = dir;
    Files.createDirectories(dir);
  }

  /**
   * Reads every segment, oldest first, cutting off corrupt tails; unreadable segments are set
   * aside.
   */
  List<Segment> load() throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files =
          s.filter(p -> p.getFileName().toString().matches("topology-\\d+\\.seg"))
              .sorted()
              .toList();
    }
    List<Segment> out = new ArrayList<>();
    for (Path f : files) {
      Segment seg = read(f);
      if (seg != null) {
        out.add(seg);
      }
    }
    return out;
  }

  private Segment read(Path f) throws IOException {
    Snapshot base = null;
    List<SnapshotDelta> deltas = new ArrayList<>();
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer magic = ByteBuffer.allocate(MAGIC.length);
      if (ch.read(magic, 0) != MAGIC.length || !Arrays.equals(magic.array(), MAGIC)) {
        return setAside(f, "no GALATOP1 header");
      }
      long pos = MAGIC.length;
      long size = ch.size();
      while (pos < size) {
        byte[] payload = readRecord(ch, pos, size);
        SnapshotCodec.Decoded d = null;
        if (payload != null) {
          try {
            d = SnapshotCodec.decode(payload);
          } catch (IOException | RuntimeException e) {
            d = null;
          }
        }
        boolean fits = d != null && (base == null ? d.full() != null : d.delta() != null);
        if (!fits) {
          corruptRecords++;
          LOG.warn(
              "snapshot file {}: corrupt or torn record at byte {} of {}; cutting the file there "
                  + "(history after it is lost, before it kept)",
              f,
              pos,
              size);
          ch.truncate(pos);
          break;
        }
        if (base == null) {
          base = d.full();
        } else {
          deltas.add(d.delta());
        }
        pos += 8 + payload.length;
      }
    }
    return base == null ? setAside(f, "no readable full snapshot") : new Segment(f, base, deltas);
  }

  private static byte[] readRecord(FileChannel ch, long pos, long size) throws IOException {
    if (size - pos < 8) {
      return null;
    }
    ByteBuffer head = ByteBuffer.allocate(8);
    ch.read(head, pos);
    head.flip();
    int len = head.getInt();
    int crc = head.getInt();
    if (len <= 0 || len > MAX_RECORD || size - pos - 8 < len) {
      return null;
    }
    ByteBuffer body = ByteBuffer.allocate(len);
    while (body.hasRemaining() && ch.read(body, pos + 8 + body.position()) > 0) {
      // read until full
    }
    CRC32 c = new CRC32();
    c.update(body.array());
    return (int) c.getValue() == crc ? body.array() : null;
  }

  private Segment setAside(Path f, String why) throws IOException {
    corruptRecords++;
    Path aside = f.resolveSibling(f.getFileName() + ".corrupt");
    LOG.warn("snapshot file {} unreadable ({}); moved to {}", f, why, aside);
    Files.move(f, aside, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    return null;
  }

  /** Closes the current segment and starts a new one with this full snapshot; returns its file. */
  Path startSegment(Snapshot base) throws IOException {
    closeCurrent();
    Path f = dir.resolve(String.format("topology-%015d.seg", base.timestampMillis()));
    for (int i = 1; Files.exists(f); i++) {
      f = dir.resolve(String.format("topology-%015d.seg", base.timestampMillis() + i));
    }
    current = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    currentFile = f;
    current.write(ByteBuffer.wrap(MAGIC));
    write(SnapshotCodec.encode(base));
    return f;
  }

  void append(SnapshotDelta delta) throws IOException {
    if (current == null) {
      throw new IllegalStateException("no open segment: start one with a full snapshot first");
    }
    write(SnapshotCodec.encode(delta));
  }

  private void write(byte[] payload) throws IOException {
    CRC32 c = new CRC32();
    c.update(payload);
    ByteBuffer b = ByteBuffer.allocate(8 + payload.length);
    b.putInt(payload.length).putInt((int) c.getValue()).put(payload).flip();
    while (b.hasRemaining()) {
      current.write(b);
    }
    current.force(false);
  }

  void delete(Path file) throws IOException {
    if (file.equals(currentFile)) {
      closeCurrent();
    }
    Files.deleteIfExists(file);
  }

  /** Records cut off or files set aside as unreadable since this log was opened. */
  long corruptRecords() {
    return corruptRecords;
  }

  long bytesOnDisk() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".seg")).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  private void closeCurrent() throws IOException {
    if (current != null) {
      current.close();
      current = null;
      currentFile = null;
    }
  }

  @Override
  public void close() throws IOException {
    closeCurrent();
  }
}
