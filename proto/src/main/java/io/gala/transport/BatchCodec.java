package io.gala.transport;

import com.google.protobuf.InvalidProtocolBufferException;
import io.gala.transport.proto.Batch;
import java.util.zip.CRC32C;

/**
 * Turns a {@link Batch} into the bytes of one Kafka record value and back. The value is the
 * protobuf encoding of the batch followed by its {@code crc32c} field (tag {@code 0x7d}, 4 bytes
 * little-endian), a CRC-32C of everything before it: still a valid {@code Batch} to any protobuf
 * reader, and a truncated or foreign value is recognised instead of decoding as a shorter batch.
 */
public final class BatchCodec {
  /** The schema version this code writes. */
  public static final int VERSION = 1;

  private static final int CRC_TAG = (15 << 3) | 5;
  private static final int TRAILER = 5;

  private BatchCodec() {}

  /** The record value of a batch; the batch's own crc32c field is ignored and recomputed. */
  public static byte[] encode(Batch batch) {
    Batch body = batch.getCrc32C() == 0 ? batch : batch.toBuilder().clearCrc32C().build();
    int size = body.getSerializedSize();
    byte[] out = new byte[size + TRAILER];
    try {
      body.writeTo(com.google.protobuf.CodedOutputStream.newInstance(out, 0, size));
    } catch (java.io.IOException e) {
      throw new IllegalStateException("protobuf write into an array of the exact size failed", e);
    }
    CRC32C crc = new CRC32C();
    crc.update(out, 0, size);
    int c = (int) crc.getValue();
    out[size] = (byte) CRC_TAG;
    out[size + 1] = (byte) c;
    out[size + 2] = (byte) (c >>> 8);
    out[size + 3] = (byte) (c >>> 16);
    out[size + 4] = (byte) (c >>> 24);
    return out;
  }

  /**
   * Decodes and validates a record value.
   *
   * @throws CorruptBatchException when the value is not a complete, valid gala batch
   */
  public static Batch decode(byte[] value) throws CorruptBatchException {
    if (value == null || value.length < TRAILER + 2) {
      throw new CorruptBatchException(
          "value of "
              + (value == null ? "null" : value.length + " bytes")
              + " is too short for a batch");
    }
    int size = value.length - TRAILER;
    if ((value[size] & 0xff) != CRC_TAG) {
      throw new CorruptBatchException(
          "no crc32c trailer (byte "
              + size
              + " is 0x"
              + Integer.toHexString(value[size] & 0xff)
              + ", want 0x7d): truncated or not a gala batch");
    }
    CRC32C crc = new CRC32C();
    crc.update(value, 0, size);
    int want =
        (value[size + 1] & 0xff)
            | (value[size + 2] & 0xff) << 8
            | (value[size + 3] & 0xff) << 16
            | (value[size + 4] & 0xff) << 24;
    if ((int) crc.getValue() != want) {
      throw new CorruptBatchException(
          "crc32c mismatch over " + size + " bytes: corrupt or truncated value");
    }
    Batch batch;
    try {
      batch = Batch.parseFrom(value);
    } catch (InvalidProtocolBufferException e) {
      throw new CorruptBatchException("protobuf: " + e.getMessage());
    }
    if (batch.getVersion() < 1) {
      throw new CorruptBatchException("batch version " + batch.getVersion() + " (want 1 or later)");
    }
    if (batch.getMachineId().isEmpty()) {
      throw new CorruptBatchException("batch without machine_id");
    }
    if (batch.getSequence() < 1) {
      throw new CorruptBatchException("batch without sequence number");
    }
    if (batch.getBodyCase() == Batch.BodyCase.BODY_NOT_SET) {
      throw new CorruptBatchException(
          "batch of "
              + batch.getMachineId()
              + " seq "
              + batch.getSequence()
              + " has no body (records, metadata or events)");
    }
    return batch;
  }
}
