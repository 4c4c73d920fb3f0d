package io.gala.agent.probe.l7.tls;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The file offsets of functions a 64-bit little-endian ELF shared object exports (its {@code
 * .dynsym}), which is what a uprobe attaches to: the symbol's address minus its loadable segment's
 * address plus that segment's file offset (System V ABI, ELF-64 object file format).
 */
final class ElfSymbols {
  private static final int SHT_DYNSYM = 11;
  private static final int PT_LOAD = 1;
  private static final int STT_FUNC = 2;
  private static final int SHDR_SIZE = 64;
  private static final int PHDR_SIZE = 56;
  private static final int SYM_SIZE = 24;

  private ElfSymbols() {}

  /** Offsets of those of {@code names} the file defines as functions; names it lacks are absent. */
  static Map<String, Long> functionOffsets(Path file, Set<String> names) throws IOException {
    ByteBuffer b;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      b = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()).order(ByteOrder.LITTLE_ENDIAN);
    }
    if (b.limit() < 64 || b.getInt(0) != 0x464c457f || b.get(4) != 2 || b.get(5) != 1) {
      throw new IOException(file + " is not a 64-bit little-endian ELF file");
    }
    long shoff = b.getLong(0x28);
    int shnum = Short.toUnsignedInt(b.getShort(0x3c));
    Map<String, Long> found = new HashMap<>();
    for (int i = 0; i < shnum; i++) {
      int sh = checked(b, shoff + (long) i * SHDR_SIZE, SHDR_SIZE);
      if (b.getInt(sh + 4) != SHT_DYNSYM) {
        continue;
      }
      int strtab = checked(b, shoff + (long) b.getInt(sh + 40) * SHDR_SIZE, SHDR_SIZE);
      int strOff = checked(b, b.getLong(strtab + 24), (int) b.getLong(strtab + 32));
      int symOff = checked(b, b.getLong(sh + 24), (int) b.getLong(sh + 32));
      int count = (int) (b.getLong(sh + 32) / SYM_SIZE);
      for (int s = 0; s < count; s++) {
        int sym = symOff + s * SYM_SIZE;
        long value = b.getLong(sym + 8);
        if ((b.get(sym + 4) & 0xf) != STT_FUNC || b.getShort(sym + 6) == 0 || value == 0) {
          continue; // not a function, or undefined (imported)
        }
        String name = cString(b, strOff + b.getInt(sym));
        if (names.contains(name)) {
          found.put(name, fileOffset(b, value));
        }
      }
    }
    return found;
  }

  private static long fileOffset(ByteBuffer b, long vaddr) throws IOException {
    long phoff = b.getLong(0x20);
    int phnum = Short.toUnsignedInt(b.getShort(0x38));
    for (int i = 0; i < phnum; i++) {
      int ph = checked(b, phoff + (long) i * PHDR_SIZE, PHDR_SIZE);
      long start = b.getLong(ph + 16);
      if (b.getInt(ph) == PT_LOAD && vaddr >= start && vaddr < start + b.getLong(ph + 40)) {
        return vaddr - start + b.getLong(ph + 8);
      }
    }
    throw new IOException("no loadable segment holds address 0x" + Long.toHexString(vaddr));
  }

  private static int checked(ByteBuffer b, long offset, int length) throws IOException {
    if (offset < 0 || length < 0 || offset + length > b.limit()) {
      throw new IOException(
          "ELF structure at " + offset + " (+" + length + ") lies outside the file");
    }
    return (int) offset;
  }

  private static String cString(ByteBuffer b, int at) {
    int end = at;
    while (end < b.limit() && b.get(end) != 0) {
      end++;
    }
    byte[] raw = new byte[end - at];
    b.get(at, raw);
    return new String(raw, StandardCharsets.US_ASCII);
  }
}
