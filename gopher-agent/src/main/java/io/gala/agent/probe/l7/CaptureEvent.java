package io.gala.agent.probe.l7;

import java.net.InetAddress;
import java.net.UnknownHostException;
import jnr.ffi.Pointer;

/**
 * Field offsets of {@code struct l7_event} (l7.h), the header of each ring buffer record, and the
 * decoding of its addresses. CaptureEventLayoutTest checks them against the compiled object's BTF.
 */
final class CaptureEvent {
  static final int TS_NS = 0;
  static final int SOCK = 8;
  static final int TGID = 16;
  static final int LEN = 20;
  static final int CAPTURED = 24;
  static final int SPORT = 28;
  static final int DPORT = 30;
  static final int KIND = 32;
  static final int FAMILY = 33;
  static final int FLAGS = 34;
  static final int PTGID = 36;
  static final int SADDR = 40;
  static final int DADDR = 56;
  static final int COMM = 72;
  static final int SLOT = 88;
  static final int SIZE = 96;

  /** Mirrors L7_F_NEW: the first event of a socket, with ptgid and comm. */
  static final int FLAG_NEW = 2;

  /** Mirrors L7_SSL_STREAM: set in the sock of a TLS connection's plaintext stream. */
  static final long SSL_STREAM = 1;

  /** Mirrors L7_DATA_MAX. */
  static final int DATA_MAX = 4096;

  /** Mirrors L7_VERDICT_SLOTS. */
  static final int VERDICT_SLOTS = 1 << 14;

  /** Mirrors L7_SNOOP_WORDS. */
  static final int SNOOP_WORDS = 65536;

  /** Mirrors enum l7_kind. */
  static final int SEND = 0;

  static final int RECV = 1;
  static final int CLOSE = 2;

  /** Mirrors enum l7_verdict. */
  static final int VERDICT_IGNORE = 1;

  /** Mirrors enum l7_counter. */
  static final String[] COUNTERS = {
    "events", "events_lost", "conns_full", "no_data", "read_fail", "ssl_no_socket"
  };

  private static final int AF_INET = 2;

  private CaptureEvent() {}

  /** The NUL-terminated process name of a first event. */
  static String comm(Pointer p) {
    byte[] raw = new byte[16];
    p.get(COMM, raw, 0, raw.length);
    int n = 0;
    while (n < raw.length && raw[n] != 0) {
      n++;
    }
    return new String(raw, 0, n, java.nio.charset.StandardCharsets.UTF_8);
  }

  /**
   * The local (saddr) or remote (daddr) address as text; IPv4-mapped IPv6 addresses print as IPv4.
   */
  static String address(Pointer p, int offset) {
    int family = p.getByte(FAMILY) & 0xff;
    byte[] raw = new byte[family == AF_INET ? 4 : 16];
    p.get(offset, raw, 0, raw.length);
    try {
      return InetAddress.getByAddress(raw).getHostAddress();
    } catch (UnknownHostException e) {
      return "";
    }
  }
}
