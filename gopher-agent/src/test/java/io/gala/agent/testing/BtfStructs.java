package io.gala.agent.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The structs of a compiled BPF object as its BTF lays them out (bpftool btf dump ... format raw),
 * so that a test can check a Java mirror's size and offsets against what the compiler produced:
 * {@code BtfStructs.of("proc").offsets("proc_stats")}.
 */
public final class BtfStructs {
  private static final Pattern STRUCT =
      Pattern.compile("^\\[\\d+] STRUCT '(\\w+)' size=(\\d+) vlen=\\d+$");
  private static final Pattern MEMBER =
      Pattern.compile("^\\s+'(\\w+)' type_id=\\d+ bits_offset=(\\d+)$");

  private final Map<String, Integer> sizes = new LinkedHashMap<>();
  private final Map<String, Map<String, Integer>> offsets = new LinkedHashMap<>();

  private BtfStructs() {}

  /** Reads {@code /bpf/<probe>.bpf.o} from the classpath (built by ebpf-probes); needs bpftool. */
  public static BtfStructs of(String probe) throws IOException, InterruptedException {
    Path obj = Files.createTempFile(probe, ".bpf.o");
    try {
      try (InputStream in = BtfStructs.class.getResourceAsStream("/bpf/" + probe + ".bpf.o")) {
        assertThat(in)
            .as("/bpf/" + probe + ".bpf.o on the classpath (built by ebpf-probes)")
            .isNotNull();
        Files.copy(in, obj, StandardCopyOption.REPLACE_EXISTING);
      }
      Process p =
          new ProcessBuilder("bpftool", "btf", "dump", "file", obj.toString(), "format", "raw")
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor()).as("bpftool btf dump (install bpftool): " + out).isZero();
      return parse(out);
    } finally {
      Files.deleteIfExists(obj);
    }
  }

  private static BtfStructs parse(String raw) {
    BtfStructs b = new BtfStructs();
    String current = null;
    for (String line : raw.split("\n")) {
      Matcher s = STRUCT.matcher(line);
      Matcher m = MEMBER.matcher(line);
      if (s.matches()) {
        current = s.group(1);
        b.sizes.put(current, Integer.parseInt(s.group(2)));
        b.offsets.put(current, new LinkedHashMap<>());
      } else if (m.matches() && current != null) {
        b.offsets.get(current).put(m.group(1), Integer.parseInt(m.group(2)) / 8);
      } else if (!line.startsWith("\t")) {
        current = null;
      }
    }
    return b;
  }

  /** Size in bytes of a struct; fails when the object has no such struct. */
  public int size(String struct) {
    assertThat(sizes).as("struct " + struct + " in the object's BTF").containsKey(struct);
    return sizes.get(struct);
  }

  /** Byte offset of each member, in declaration order. */
  public Map<String, Integer> offsets(String struct) {
    assertThat(offsets).as("struct " + struct + " in the object's BTF").containsKey(struct);
    return offsets.get(struct);
  }
}
