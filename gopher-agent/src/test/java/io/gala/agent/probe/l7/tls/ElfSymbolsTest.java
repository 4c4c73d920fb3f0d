package io.gala.agent.probe.l7.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * ElfSymbols against binutils' own reading of libssl.so.3 (readelf) and against files that are not
 * ELF.
 */
class ElfSymbolsTest {
  private static final Path LIBSSL = Path.of("/usr/lib/x86_64-linux-gnu/libssl.so.3");

  @Test
  void findsTheFileOffsetsReadelfGives() throws Exception {
    assumeTrue(Files.isRegularFile(LIBSSL), "needs " + LIBSSL + " (Debian's libssl3)");
    Map<String, Long> offsets =
        ElfSymbols.functionOffsets(LIBSSL, Set.of("SSL_read", "SSL_write", "SSL_nonexistent"));

    assertThat(offsets).containsOnlyKeys("SSL_read", "SSL_write");
    for (Map.Entry<String, Long> f : offsets.entrySet()) {
      assertThat(f.getValue()).as(f.getKey()).isEqualTo(readelfOffset(f.getKey()));
    }
  }

  @Test
  void rejectsAFileThatIsNotElf() throws Exception {
    Path text = Files.createTempFile("gt-l7tls", ".txt");
    try {
      Files.writeString(
          text, "not an ELF file, but long enough to have a header's worth of bytes in it....");
      assertThatThrownBy(() -> ElfSymbols.functionOffsets(text, Set.of("SSL_read")))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("not a 64-bit little-endian ELF");
    } finally {
      Files.delete(text);
    }
  }

  /**
   * The symbol's value from readelf --dyn-syms, turned into a file offset with readelf -l's LOAD
   * segments.
   */
  private static long readelfOffset(String name) throws Exception {
    long value = -1;
    for (String line : readelf("--dyn-syms", "-W").split("\n")) {
      String[] f = line.strip().split("\\s+");
      if (f.length >= 8 && f[3].equals("FUNC") && f[7].replaceAll("@.*", "").equals(name)) {
        value = Long.parseLong(f[1], 16);
      }
    }
    assertThat(value).as("readelf knows %s", name).isPositive();
    Matcher load =
        Pattern.compile(
                "LOAD\\s+0x(\\p{XDigit}+)\\s+0x(\\p{XDigit}+)\\s+0x\\p{XDigit}+\\s+0x\\p{XDigit}+"
                    + "\\s+0x(\\p{XDigit}+)")
            .matcher(readelf("-l", "-W"));
    while (load.find()) {
      long offset = Long.parseLong(load.group(1), 16);
      long vaddr = Long.parseLong(load.group(2), 16);
      long memsz = Long.parseLong(load.group(3), 16);
      if (value >= vaddr && value < vaddr + memsz) {
        return value - vaddr + offset;
      }
    }
    throw new AssertionError("no LOAD segment of " + LIBSSL + " holds " + name);
  }

  private static String readelf(String... args) throws Exception {
    String[] cmd = new String[args.length + 2];
    cmd[0] = "readelf";
    System.arraycopy(args, 0, cmd, 1, args.length);
    cmd[cmd.length - 1] = LIBSSL.toString();
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as("readelf %s", String.join(" ", args)).isZero();
    return out;
  }
}
