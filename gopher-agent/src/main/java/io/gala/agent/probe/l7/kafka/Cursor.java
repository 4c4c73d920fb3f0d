package io.gala.agent.probe.l7.kafka;

import io.gala.agent.probe.l7.protocol.ByteStream;

/**
 * Reads Kafka primitive types (big-endian ints, unsigned varints, strings, tagged fields) from the
 * captured bytes of a stream without consuming them; any read past the capture sets {@link #bad}.
 */
final class Cursor {
  private final ByteStream in;
  private final int limit;
  int at;
  boolean bad;

  Cursor(ByteStream in, int at, long limit) {
    this.in = in;
    this.at = at;
    this.limit = (int) Math.min(limit, in.available());
  }

  private boolean has(int n) {
    if (bad || at + n > limit || n < 0) {
      bad = true;
      return false;
    }
    return true;
  }

  int int16() {
    if (!has(2)) {
      return 0;
    }
    int v = (short) in.be16(at);
    at += 2;
    return v;
  }

  int int32() {
    if (!has(4)) {
      return 0;
    }
    int v = in.be32(at);
    at += 4;
    return v;
  }

  void skip(int n) {
    if (has(n)) {
      at += n;
    }
  }

  /** Unsigned varint (protobuf style) as Kafka's compact types use it. */
  long uvarint() {
    long v = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      if (!has(1)) {
        return 0;
      }
      int b = in.u8(at++);
      v |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return v;
      }
    }
    bad = true;
    return 0;
  }

  /** A (nullable) string with an int16 length. */
  void skipString() {
    int n = int16();
    if (n > 0) {
      skip(n);
    }
  }

  /** A compact (nullable) string: varint length + 1, 0 meaning null. */
  void skipCompactString() {
    long n = uvarint() - 1;
    if (n > 0) {
      skip((int) Math.min(n, Integer.MAX_VALUE));
    }
  }

  /** Tagged fields: a count, then tag, size and data each. */
  void skipTaggedFields() {
    long n = uvarint();
    for (long i = 0; i < n && !bad; i++) {
      uvarint();
      skip((int) Math.min(uvarint(), Integer.MAX_VALUE));
    }
  }

  /** An array count (int32, or compact varint N+1 when flexible); -1 for null. */
  int arrayLength(boolean compact) {
    if (compact) {
      return (int) Math.min(uvarint() - 1, Integer.MAX_VALUE);
    }
    return int32();
  }
}
