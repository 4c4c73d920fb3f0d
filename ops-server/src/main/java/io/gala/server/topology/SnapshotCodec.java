package io.gala.server.topology;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.InflaterInputStream;

/**
 * The binary form of snapshots and deltas in the snapshot files: a type byte, then fields in a
 * fixed order (strings as length + UTF-8), the whole deflated. Entity types and relations are
 * stored by their fixed one-byte codes, so renaming an enum constant does not break old files.
 */
final class SnapshotCodec {
  static final byte FULL = 1;
  static final byte DELTA = 2;

  private SnapshotCodec() {}

  static byte[] encode(Snapshot s) {
    return deflate(
        out -> {
          out.writeByte(FULL);
          out.writeLong(s.timestampMillis());
          writeNodes(out, s.nodes().values());
          writeEdges(out, s.edges().values());
        });
  }

  static byte[] encode(SnapshotDelta d) {
    return deflate(
        out -> {
          out.writeByte(DELTA);
          out.writeLong(d.fromMillis());
          out.writeLong(d.toMillis());
          writeNodes(out, d.upsertedNodes());
          writeStrings(out, d.removedNodes());
          writeEdges(out, d.addedEdges());
          writeStrings(out, d.removedEdges());
        });
  }

  /** A decoded record: exactly one of the two is set. */
  record Decoded(Snapshot full, SnapshotDelta delta) {}

  static Decoded decode(byte[] payload) throws IOException {
    try (DataInputStream in =
        new DataInputStream(new InflaterInputStream(new java.io.ByteArrayInputStream(payload)))) {
      byte type = in.readByte();
      if (type == FULL) {
        long ts = in.readLong();
        List<Node> nodes = readNodes(in);
        List<Edge> edges = readEdges(in);
        return new Decoded(Snapshot.of(ts, nodes, edges), null);
      }
      if (type == DELTA) {
        long from = in.readLong();
        long to = in.readLong();
        return new Decoded(
            null,
            new SnapshotDelta(
                from, to, readNodes(in), readStrings(in), readEdges(in), readStrings(in)));
      }
      throw new IOException("unknown snapshot record type " + type);
    }
  }

  private interface Writer {
    void write(DataOutputStream out) throws IOException;
  }

  private static byte[] deflate(Writer w) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(4096);
    Deflater deflater = new Deflater(Deflater.BEST_SPEED);
    try (DataOutputStream out =
        new DataOutputStream(new DeflaterOutputStream(bytes, deflater, 8192))) {
      w.write(out);
    } catch (IOException e) {
      throw new IllegalStateException("encoding a snapshot in memory failed", e);
    } finally {
      deflater.end();
    }
    return bytes.toByteArray();
  }

  private static void writeNodes(DataOutputStream out, Iterable<Node> nodes) throws IOException {
    List<Node> list = new ArrayList<>();
    nodes.forEach(list::add);
    out.writeInt(list.size());
    for (Node n : list) {
      writeString(out, n.id());
      out.writeByte(n.type().code);
      writeString(out, n.machineId());
      out.writeShort(n.attributes().size());
      for (Map.Entry<String, String> a : n.attributes().entrySet()) {
        writeString(out, a.getKey());
        writeString(out, a.getValue());
      }
    }
  }

  private static List<Node> readNodes(DataInputStream in) throws IOException {
    int n = count(in);
    List<Node> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String id = readString(in);
      EntityType type = EntityType.ofCode(in.readByte());
      String mid = readString(in);
      int attrs = in.readUnsignedShort();
      Map<String, String> a = new LinkedHashMap<>();
      for (int k = 0; k < attrs; k++) {
        a.put(readString(in), readString(in));
      }
      out.add(new Node(id, type, mid, a));
    }
    return out;
  }

  private static void writeEdges(DataOutputStream out, Iterable<Edge> edges) throws IOException {
    List<Edge> list = new ArrayList<>();
    edges.forEach(list::add);
    out.writeInt(list.size());
    for (Edge e : list) {
      out.writeByte(e.type().code);
      writeString(out, e.from());
      writeString(out, e.to());
      writeString(out, e.detail());
    }
  }

  private static List<Edge> readEdges(DataInputStream in) throws IOException {
    int n = count(in);
    List<Edge> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(
          new Edge(Relation.ofCode(in.readByte()), readString(in), readString(in), readString(in)));
    }
    return out;
  }

  private static void writeStrings(DataOutputStream out, List<String> strings) throws IOException {
    out.writeInt(strings.size());
    for (String s : strings) {
      writeString(out, s);
    }
  }

  private static List<String> readStrings(DataInputStream in) throws IOException {
    int n = count(in);
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(readString(in));
    }
    return out;
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  private static String readString(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > 1 << 20) {
      throw new IOException("string length " + n + " out of range");
    }
    return new String(in.readNBytes(n), StandardCharsets.UTF_8);
  }

  private static int count(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > 50_000_000) {
      throw new IOException("element count " + n + " out of range");
    }
    return n;
  }
}
