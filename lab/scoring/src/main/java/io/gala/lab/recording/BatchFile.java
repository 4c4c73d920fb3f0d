package io.gala.lab.recording;

import io.gala.transport.BatchCodec;
import io.gala.transport.CorruptBatchException;
import io.gala.transport.proto.Batch;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The recording's batch file: Kafka record values one after the other, each preceded by its length
 * as a 4-byte big-endian integer ({@code kcat -f '%R%s'} writes exactly this; -1 = a null value,
 * skipped). A name ending in {@code .gz} is gzip-compressed. Values are decoded with {@link
 * BatchCodec}, so a truncated or foreign value is counted as corrupt, not read as a shorter batch.
 */
public final class BatchFile {
  private static final int MAX_VALUE = 64 << 20;

  private BatchFile() {}

  /** The batches of a file, in file order, and how many values were not valid batches. */
  public record Content(List<Batch> batches, int corrupt) {}

  public static Content read(Path file) throws IOException {
    List<Batch> batches = new ArrayList<>();
    int corrupt = 0;
    try (InputStream raw = Files.newInputStream(file);
        DataInputStream in =
            new DataInputStream(
                new BufferedInputStream(
                    file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw))) {
      while (true) {
        int len;
        try {
          len = in.readInt();
        } catch (EOFException end) {
          break;
        }
        if (len == -1) {
          continue;
        }
        if (len < 0 || len > MAX_VALUE) {
          throw new IOException(
              file
                  + ": value length "
                  + len
                  + " at batch "
                  + (batches.size() + corrupt)
                  + " is not a length: not a recording written by kcat -f '%R%s' (4-byte big-endian length)");
        }
        byte[] value = new byte[len];
        try {
          in.readFully(value);
        } catch (EOFException e) {
          corrupt++; // the recorder was stopped in the middle of a value
          break;
        }
        try {
          batches.add(BatchCodec.decode(value));
        } catch (CorruptBatchException e) {
          corrupt++;
        }
      }
    }
    return new Content(batches, corrupt);
  }

  /** Writes batches in the same format (for tests and for cutting recordings down). */
  public static void write(Path file, List<Batch> batches) throws IOException {
    try (OutputStream raw = Files.newOutputStream(file);
        DataOutputStream out =
            new DataOutputStream(
                file.toString().endsWith(".gz") ? new GZIPOutputStream(raw) : raw)) {
      for (Batch b : batches) {
        byte[] v = BatchCodec.encode(b);
        out.writeInt(v.length);
        out.write(v);
      }
    }
  }
}
