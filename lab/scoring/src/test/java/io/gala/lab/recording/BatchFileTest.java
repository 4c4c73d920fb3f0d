package io.gala.lab.recording;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gala.lab.series.SeriesSetTest;
import io.gala.transport.BatchCodec;
import io.gala.transport.proto.Batch;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchFileTest {
  @TempDir Path dir;

  @Test
  void readsWhatKcatWritesAndCountsCorruptValues() throws IOException {
    List<Batch> in =
        List.of(
            SeriesSetTest.sample(1, 1000, 1, 1, 0, 0), SeriesSetTest.sample(2, 2000, 2, 1, 0, 0));
    Path f = dir.resolve("records.bin");
    BatchFile.write(f, in);
    byte[] bad = BatchCodec.encode(in.get(0));
    bad[3] ^= 0x55; // the CRC trailer no longer matches
    try (OutputStream o = Files.newOutputStream(f, StandardOpenOption.APPEND);
        DataOutputStream d = new DataOutputStream(o)) {
      d.writeInt(-1); // kcat's null value
      d.writeInt(bad.length);
      d.write(bad);
      d.writeInt(100); // a value cut short when the recorder stopped
      d.write(new byte[10]);
    }
    BatchFile.Content c = BatchFile.read(f);
    assertThat(withoutCrc(c.batches())).isEqualTo(in);
    assertThat(c.corrupt()).isEqualTo(2);
  }

  @Test
  void gzipByName() throws IOException {
    List<Batch> in = List.of(SeriesSetTest.sample(1, 1000, 1, 1, 0, 0));
    Path f = dir.resolve("records.bin.gz");
    BatchFile.write(f, in);
    assertThat(withoutCrc(BatchFile.read(f).batches())).isEqualTo(in);
  }

  @Test
  void aFileOfAnotherFormatIsRejectedWithTheReason() throws IOException {
    Path f = dir.resolve("records.bin");
    Files.writeString(f, "{\"not\": \"a recording\"}");
    assertThatThrownBy(() -> BatchFile.read(f)).hasMessageContaining("4-byte big-endian length");
  }

  /** Decoded batches carry the crc32c field the codec appended; the originals do not. */
  private static List<Batch> withoutCrc(List<Batch> batches) {
    return batches.stream().map(b -> b.toBuilder().clearCrc32C().build()).toList();
  }
}
