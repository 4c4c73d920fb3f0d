package io.gala.agent.probe.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jnr.ffi.Runtime;
import jnr.ffi.Struct;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Java mirrors of tcp.h lay out every field where the compiled tcp.bpf.o says it is (its BTF).
 */
class TcpLayoutTest {
  private static final Pattern STRUCT =
      Pattern.compile("^\\[\\d+] STRUCT '(\\w+)' size=(\\d+) vlen=(\\d+)");
  private static final Pattern MEMBER =
      Pattern.compile("^\\s+'(\\w+)' type_id=\\d+ bits_offset=(\\d+)");
  private static final Runtime RT = Runtime.getSystemRuntime();
  private static final Map<String, Map<String, Long>> BTF = new LinkedHashMap<>();

  /** Member offsets in bytes by struct, with the size under the key "sizeof". */
  @BeforeAll
  static void readBtf() throws Exception {
    Path obj = Files.createTempFile("tcp", ".bpf.o");
    try (InputStream in = TcpLayoutTest.class.getResourceAsStream("/bpf/tcp.bpf.o")) {
      assertThat(in).as("tcp.bpf.o on the classpath (ebpf-probes built)").isNotNull();
      Files.copy(in, obj, StandardCopyOption.REPLACE_EXISTING);
    }
    String bpftool = Files.exists(Path.of("/usr/sbin/bpftool")) ? "/usr/sbin/bpftool" : "bpftool";
    Process p =
        new ProcessBuilder(bpftool, "btf", "dump", "file", obj.toString(), "format", "raw").start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0)
        .as("bpftool btf dump of tcp.bpf.o")
        .isTrue();
    Files.delete(obj);
    Map<String, Long> current = null;
    for (String line : out.split("\n")) {
      Matcher s = STRUCT.matcher(line);
      Matcher m = MEMBER.matcher(line);
      if (s.find()) {
        current = new LinkedHashMap<>();
        current.put("sizeof", Long.parseLong(s.group(2)));
        BTF.put(s.group(1), current);
      } else if (m.find() && current != null) {
        current.put(m.group(1), Long.parseLong(m.group(2)) / 8);
      } else if (!line.startsWith("\t")) {
        current = null;
      }
    }
  }

  @Test
  void recordMirrorMatchesTheKernelStruct() throws Exception {
    assertSameLayout("tcp_record", new TcpRecordStruct(RT));
    assertThat((long) TcpRecord.SIZE).isEqualTo(BTF.get("tcp_record").get("sizeof"));
  }

  @Test
  void linkMirrorMatchesTheKernelStruct() throws Exception {
    assertSameLayout("tcp_link", new TcpLinkStruct(RT));
  }

  @Test
  void dropKeyMirrorMatchesTheKernelStruct() throws Exception {
    assertSameLayout("tcp_drop_key", new TcpDropKeyStruct(RT));
    assertThat((long) DropCounts.KEY_SIZE).isEqualTo(BTF.get("tcp_drop_key").get("sizeof"));
  }

  @Test
  void listenerKeyMirrorMatchesTheKernelStruct() throws Exception {
    assertSameLayout("tcp_listener_key", new TcpListenerKeyStruct(RT));
  }

  private static void assertSameLayout(String cName, Struct mirror) throws Exception {
    Map<String, Long> c = BTF.get(cName);
    assertThat(c).as("struct %s in the BTF of tcp.bpf.o", cName).isNotNull();
    Map<String, Long> mirrored = new LinkedHashMap<>();
    mirrored.put("sizeof", (long) Struct.size(mirror));
    long base = offset(mirror);
    for (Field f : mirror.getClass().getDeclaredFields()) {
      if (Modifier.isStatic(f.getModifiers())) {
        continue;
      }
      f.setAccessible(true);
      mirrored.put(f.getName(), offset(f.get(mirror)) - base);
    }
    assertThat(mirrored)
        .as("layout of %s: Java mirror %s", cName, mirror.getClass().getSimpleName())
        .isEqualTo(c);
  }

  /** Offset of a member, of an array's first element, or of an inner struct's first member. */
  private static long offset(Object member) throws Exception {
    if (member instanceof Struct.NumberField n) {
      return n.offset();
    }
    if (member instanceof Object[] array) {
      return offset(array[0]);
    }
    if (member instanceof Struct inner) {
      for (Field f : inner.getClass().getDeclaredFields()) {
        if (!Modifier.isStatic(f.getModifiers())) {
          f.setAccessible(true);
          return offset(f.get(inner));
        }
      }
    }
    throw new IllegalArgumentException("not a struct member: " + member);
  }
}
