package io.gala.agent.probe.proc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Java mirrors of proc.h against the BTF of the compiled proc.bpf.o: sizes and every offset. */
class ProcLayoutTest {
  private static final Pattern STRUCT = Pattern.compile("^\\[\\d+] STRUCT '(\\w+)' size=(\\d+) vlen=\\d+$");
  private static final Pattern MEMBER = Pattern.compile("^\\s+'(\\w+)' type_id=\\d+ bits_offset=(\\d+)$");
  private static final Map<String, Map<String, Integer>> OFFSETS = new LinkedHashMap<>();
  private static final Map<String, Integer> SIZES = new LinkedHashMap<>();

  @BeforeAll
  static void readBtf() throws Exception {
    Path obj = Files.createTempFile("proc", ".bpf.o");
    try (InputStream in = ProcLayoutTest.class.getResourceAsStream("/bpf/proc.bpf.o")) {
      assertThat(in).as("/bpf/proc.bpf.o on the classpath (built by ebpf-probes)").isNotNull();
      Files.copy(in, obj, StandardCopyOption.REPLACE_EXISTING);
    }
    Process p = new ProcessBuilder("bpftool", "btf", "dump", "file", obj.toString(), "format", "raw")
        .redirectErrorStream(true).start();
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
        OFFSETS.put(current, new LinkedHashMap<>());
      } else if (m.matches() && current != null) {
        OFFSETS.get(current).put(m.group(1), Integer.parseInt(m.group(2)) / 8);
      } else if (!line.startsWith("\t")) {
        current = null;
      }
    }
  }

  @Test
  void procStatsMatchesBtf() {
    assertThat(SIZES.get("proc_stats")).isEqualTo(ProcStats.SIZE);
    assertThat(OFFSETS.get("proc_stats")).isEqualTo(ProcStats.OFFSETS);
  }

  @Test
  void syscallFailKeyMatchesBtf() {
    assertThat(SIZES.get("syscall_fail_key")).isEqualTo(16);
    assertThat(OFFSETS.get("syscall_fail_key")).containsExactly(
        Map.entry("tgid", 0), Map.entry("nr", 4), Map.entry("err", 8), Map.entry("pad", 12));
  }
}
