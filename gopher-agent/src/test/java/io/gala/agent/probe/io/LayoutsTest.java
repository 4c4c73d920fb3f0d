package io.gala.agent.probe.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jnr.ffi.Struct;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Java mirrors of io.h against the BTF of the compiled io.bpf.o: sizes and every member's
 * offset.
 */
class LayoutsTest {
  private static final Pattern STRUCT =
      Pattern.compile("^\\[\\d+] STRUCT '(\\w+)' size=(\\d+) vlen=(\\d+)$");
  private static final Pattern MEMBER =
      Pattern.compile("^\\s+'(\\w+)' type_id=\\d+ bits_offset=(\\d+)$");
  private static final Map<String, Map<String, Long>> BTF = new LinkedHashMap<>();
  private static final Map<String, Integer> SIZES = new LinkedHashMap<>();

  @BeforeAll
  static void readBtf() throws Exception {
    Path obj = Files.createTempFile("io", ".bpf.o");
    try (InputStream in = LayoutsTest.class.getResourceAsStream("/bpf/io.bpf.o")) {
      assertThat(in).as("/bpf/io.bpf.o on the classpath (built by ebpf-probes)").isNotNull();
      Files.copy(in, obj, StandardCopyOption.REPLACE_EXISTING);
    }
    Process p =
        new ProcessBuilder("bpftool", "btf", "dump", "file", obj.toString(), "format", "raw")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as("bpftool btf dump (install bpftool): " + out).isZero();
    Files.delete(obj);
    String current = null;
    for (String line : out.split("\n")) {
      Matcher s = STRUCT.matcher(line);
      Matcher m = MEMBER.matcher(line);
      if (s.matches()) {
        current = s.group(1);
        SIZES.put(current, Integer.parseInt(s.group(2)));
        BTF.put(current, new LinkedHashMap<>());
      } else if (m.matches() && current != null) {
        BTF.get(current).put(m.group(1), Long.parseLong(m.group(2)) / 8);
      } else if (!line.startsWith("\t")) {
        current = null;
      }
    }
  }

  @Test
  void histMatchesBtf() {
    assertMatches("hist", Layouts.HIST);
  }

  @Test
  void devKeyMatchesBtf() {
    assertMatches("dev_key", Layouts.DEV_KEY);
  }

  @Test
  void blockStatsMatchesBtf() {
    assertMatches("block_stats", Layouts.BLOCK_STATS);
  }

  @Test
  void procKeyMatchesBtf() {
    assertMatches("proc_key", Layouts.PROC_KEY);
  }

  @Test
  void procIoStatsMatchesBtf() {
    assertMatches("proc_io_stats", Layouts.PROC_IO_STATS);
  }

  private static void assertMatches(String cName, Struct javaStruct) {
    assertThat(SIZES).as("struct " + cName + " in io.bpf.o's BTF").containsKey(cName);
    assertThat(Struct.size(javaStruct))
        .as("sizeof(struct " + cName + ")")
        .isEqualTo(SIZES.get(cName));
    assertThat(javaOffsets(javaStruct))
        .as("members of struct " + cName + " in C order with C offsets")
        .containsExactlyEntriesOf(BTF.get(cName));
  }

  /** Member name -> byte offset, in declaration order, from the mirror's fields. */
  private static Map<String, Long> javaOffsets(Struct s) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (Field f : s.getClass().getDeclaredFields()) {
      if (java.lang.reflect.Modifier.isStatic(f.getModifiers())) {
        continue;
      }
      try {
        f.setAccessible(true);
        Object v = f.get(s);
        Object first = v instanceof Object[] a ? a[0] : v;
        long offset =
            first instanceof Layouts.Hist h ? h.offset() : ((Struct.NumberField) first).offset();
        out.put(f.getName(), offset);
      } catch (IllegalAccessException e) {
        throw new AssertionError(e);
      }
    }
    return out;
  }
}
