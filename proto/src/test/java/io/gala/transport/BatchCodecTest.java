package io.gala.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gala.transport.proto.Batch;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BatchCodecTest {
  @Test
  void roundTripsABatchAndStaysPlainProtobuf() throws Exception {
    Batch b = V1Fixture.records();
    byte[] value = BatchCodec.encode(b);
    assertThat(BatchCodec.decode(value))
        .isEqualTo(b.toBuilder().setCrc32C(BatchCodec.decode(value).getCrc32C()).build());
    // Any protobuf reader sees the same batch plus the crc32c field.
    assertThat(Batch.parseFrom(value).toBuilder().clearCrc32C().build()).isEqualTo(b);
  }

  @Test
  void rejectsEveryTruncationOfAValidBatch() {
    byte[] value = BatchCodec.encode(V1Fixture.records());
    for (int len = 0; len < value.length; len++) {
      byte[] cut = Arrays.copyOf(value, len);
      assertThatThrownBy(() -> BatchCodec.decode(cut))
          .as("truncated to " + len)
          .isInstanceOf(CorruptBatchException.class);
    }
  }

  @Test
  void rejectsGarbageAndFlippedBits() {
    Random rnd = new Random(7);
    for (int i = 0; i < 2000; i++) {
      byte[] garbage = new byte[1 + rnd.nextInt(300)];
      rnd.nextBytes(garbage);
      assertThatThrownBy(() -> BatchCodec.decode(garbage))
          .isInstanceOf(CorruptBatchException.class);
    }
    byte[] value = BatchCodec.encode(V1Fixture.records());
    for (int i = 0; i < value.length - 5; i++) {
      byte[] flipped = value.clone();
      flipped[i] ^= 0x10;
      assertThatThrownBy(() -> BatchCodec.decode(flipped))
          .isInstanceOf(CorruptBatchException.class);
    }
    assertThatThrownBy(
            () -> BatchCodec.decode("{\"timestamp\": 1}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(CorruptBatchException.class);
  }

  @Test
  void rejectsBatchesWithoutIdentityOrBody() {
    Batch noMachine = V1Fixture.records().toBuilder().clearMachineId().build();
    assertThatThrownBy(() -> BatchCodec.decode(BatchCodec.encode(noMachine)))
        .hasMessageContaining("machine_id");
    Batch noBody = V1Fixture.records().toBuilder().clearRecords().build();
    assertThatThrownBy(() -> BatchCodec.decode(BatchCodec.encode(noBody)))
        .hasMessageContaining("no body");
    Batch noSeq = V1Fixture.records().toBuilder().clearSequence().build();
    assertThatThrownBy(() -> BatchCodec.decode(BatchCodec.encode(noSeq)))
        .hasMessageContaining("sequence");
  }
}
