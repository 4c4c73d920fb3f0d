package io.gala.agent.probe.l7.protocol;

/**
 * One direction of one connection as the capture saw it. Each I/O arrives as a segment: a captured
 * prefix of its bytes, the rest unknown (a hole). Parsers read headers from the known bytes and
 * skip bodies by count, which works across holes and into segments not yet seen; a header that
 * falls into a hole leaves the stream {@link #lost()} until the driver restarts it at a later
 * segment boundary.
 *
 * <p>Memory is bounded: the buffer holds at most {@code maxBuffered} bytes (a header that needs
 * more is treated as lost) and is released whenever it is empty and larger than a small size.
 */
public final class ByteStream {
  private static final byte[] EMPTY = new byte[0];
  private static final int KEEP_CAPACITY = 256;
  private static final int MAX_BOUNDS = 16;

  private final int maxBuffered;
  private byte[] buf = EMPTY;
  private int start;
  private int end;

  /** Unknown bytes right after {@code end}: the uncaptured rest of the last segment. */
  private long hole;

  /** Bytes the parser skipped that have not arrived yet. */
  private long skipAhead;

  private boolean lost;

  /** Absolute offset of buf[start] in the stream, counting skipped and unknown bytes. */
  private long pos;

  private long startTs;

  /** Absolute offset of the start of the segment holding the read position. */
  private long segmentStart = -1;

  private long lastTs;

  /** Segment starts inside the buffer (absolute offset, timestamp), oldest first, as a ring. */
  private final long[] boundPos = new long[MAX_BOUNDS];

  private final long[] boundTs = new long[MAX_BOUNDS];
  private int boundHead;
  private int boundCount;

  public ByteStream(int maxBuffered) {
    this.maxBuffered = maxBuffered;
  }

  /**
   * Adds one I/O: {@code captured} known bytes at {@code data[off]}, then {@code length - captured}
   * unknown ones. Bytes still owed to an earlier {@link #skip} are dropped first. Does nothing
   * while the stream is lost.
   */
  public void append(byte[] data, int off, int captured, long length, long ts) {
    lastTs = ts;
    if (lost) {
      return;
    }
    if (hole > 0) {
      // The parser stopped before a hole without skipping it: the next byte it needs is unknown.
      markLost();
      return;
    }
    long skipNow = Math.min(skipAhead, length);
    skipAhead -= skipNow;
    pos += Math.min(skipNow, length);
    if (skipNow == length) {
      return;
    }
    if (skipNow >= captured) {
      markLost(); // the next message starts in the uncaptured part of this segment
      return;
    }
    int from = off + (int) skipNow;
    int n = captured - (int) skipNow;
    if (start == end) {
      start = 0;
      end = 0;
      startTs = ts;
    }
    // Bytes beyond the buffer's bound count as uncaptured: a parser that needs them loses its
    // place.
    n = Math.min(n, maxBuffered - (end - start));
    if (n <= 0) {
      markLost();
      return;
    }
    ensureRoom(n);
    addBound(pos + (end - start), ts);
    System.arraycopy(data, from, buf, end, n);
    end += n;
    hole = length - skipNow - n;
  }

  private void ensureRoom(int n) {
    int used = end - start;
    if (end + n <= buf.length) {
      return;
    }
    if (used + n <= buf.length) {
      System.arraycopy(buf, start, buf, 0, used);
    } else {
      byte[] bigger =
          new byte[Math.min(maxBuffered, Math.max(256, Integer.highestOneBit(used + n) << 1))];
      System.arraycopy(buf, start, bigger, 0, used);
      buf = bigger;
    }
    end = used;
    start = 0;
  }

  private void addBound(long at, long ts) {
    if (boundCount == MAX_BOUNDS) {
      boundHead =
          (boundHead + 1) % MAX_BOUNDS; // forget the oldest: its timestamp is only approximate then
      boundCount--;
    }
    int i = (boundHead + boundCount) % MAX_BOUNDS;
    boundPos[i] = at;
    boundTs[i] = ts;
    boundCount++;
    advanceBounds();
  }

  private void advanceBounds() {
    while (boundCount > 0 && boundPos[boundHead] <= pos) {
      startTs = boundTs[boundHead];
      segmentStart = boundPos[boundHead];
      boundHead = (boundHead + 1) % MAX_BOUNDS;
      boundCount--;
    }
  }

  /** Bytes allocated for buffering. */
  public int capacity() {
    return buf.length;
  }

  /** Known bytes from the read position up to the next hole or the end. */
  public int available() {
    return end - start;
  }

  /** Whether unknown bytes follow the known ones, so that waiting for more cannot help. */
  public boolean atHole() {
    return hole > 0;
  }

  /** Whether the stream lost its place; the driver restarts it at a later segment. */
  public boolean lost() {
    return lost;
  }

  /**
   * Bytes skipped by the parser that are still to arrive (a body longer than what was seen so far).
   */
  public long pendingSkip() {
    return skipAhead;
  }

  /** Timestamp of the segment holding the byte at the read position. */
  public long startTs() {
    return startTs;
  }

  /** Timestamp of the latest segment appended. */
  public long lastTs() {
    return lastTs;
  }

  /** Absolute offset of the read position in the stream. */
  public long position() {
    return pos;
  }

  /** Whether the read position is the first byte of a segment (an I/O started here). */
  public boolean atSegmentStart() {
    return segmentStart == pos && available() > 0;
  }

  /** Unsigned byte at offset i from the read position; i must be below {@link #available()}. */
  public int u8(int i) {
    return buf[start + i] & 0xff;
  }

  public int be16(int i) {
    return (u8(i) << 8) | u8(i + 1);
  }

  public int be32(int i) {
    return (be16(i) << 16) | be16(i + 2);
  }

  public int le16(int i) {
    return u8(i) | (u8(i + 1) << 8);
  }

  public int le24(int i) {
    return le16(i) | (u8(i + 2) << 16);
  }

  public long le32(int i) {
    return (le24(i) | ((long) u8(i + 3) << 24)) & 0xffffffffL;
  }

  /** Index of the first {@code b} in [from, to) relative to the read position, or -1. */
  public int indexOf(byte b, int from, int to) {
    int lim = Math.min(to, available());
    for (int i = from; i < lim; i++) {
      if (buf[start + i] == b) {
        return i;
      }
    }
    return -1;
  }

  /** Index of "\r\n" at or after from, or -1. */
  public int indexOfCrlf(int from) {
    for (int i = from; i + 1 < available(); i++) {
      if (buf[start + i] == '\r' && buf[start + i + 1] == '\n') {
        return i;
      }
    }
    return -1;
  }

  /** ISO-8859-1 text of n bytes at offset i, at most max characters. */
  public String text(int i, int n, int max) {
    if (i < 0 || i >= available()) {
      return "";
    }
    int len = Math.max(0, Math.min(Math.min(n, max), available() - i));
    return new String(buf, start + i, len, java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  /** Whether the bytes at offset i equal the ASCII text, ignoring case if asked. */
  public boolean matches(int i, String ascii, boolean ignoreCase) {
    if (i < 0 || i + ascii.length() > available()) {
      return false;
    }
    for (int k = 0; k < ascii.length(); k++) {
      int c = buf[start + i + k];
      int e = ascii.charAt(k);
      if (c != e && !(ignoreCase && Character.toUpperCase(c) == Character.toUpperCase(e))) {
        return false;
      }
    }
    return true;
  }

  /** Consumes n known bytes (n at most {@link #available()}). */
  public void consume(int n) {
    start += n;
    pos += n;
    advanceBounds();
    if (start == end) {
      start = 0;
      end = 0;
    }
  }

  /** Skips n bytes of a body: known ones first, then the hole, then bytes still to arrive. */
  public void skip(long n) {
    int known = (int) Math.min(n, available());
    consume(known);
    long rest = n - known;
    long fromHole = Math.min(rest, hole);
    hole -= fromHole;
    pos += fromHole;
    skipAhead += rest - fromHole;
  }

  /** Drops everything: the position of the next message is unknown until {@link #restart()}. */
  public void markLost() {
    lost = true;
    start = 0;
    end = 0;
    hole = 0;
    skipAhead = 0;
    boundCount = 0;
    if (buf.length > KEEP_CAPACITY) {
      buf = EMPTY;
    }
  }

  /** Starts afresh: the next appended segment begins a message. */
  public void restart() {
    lost = false;
  }

  /** Frees a large buffer when nothing is buffered, so that idle connections stay small. */
  public void trim() {
    if (start == end && buf.length > KEEP_CAPACITY) {
      buf = EMPTY;
      start = 0;
      end = 0;
    }
  }
}
