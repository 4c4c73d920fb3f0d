package io.gala.agent.probe.l7;

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
import org.junit.jupiter.api.Test;

/**
 * CaptureEvent's offsets against struct l7_event as compiled into l7.bpf.o (its BTF, via bpftool).
 */
class CaptureEventLayoutTest {
  @Test
  void offsetsMatchTheCompiledStruct() throws Exception {
    Path obj = Files.createTempFile("l7", ".bpf.o");
    try (InputStream in = getClass().getResourceAsStream("/bpf/l7.bpf.o")) {
      assertThat(in).as("l7.bpf.o on the classpath (build ebpf-probes)").isNotNull();
      Files.copy(in, obj, StandardCopyOption.REPLACE_EXISTING);
    }
    Process p =
        new ProcessBuilder("bpftool", "btf", "dump", "file", obj.toString(), "format", "raw")
            .redirectErrorStream(true)
            .start();
    String btf = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    Files.delete(obj);

    Matcher struct =
        Pattern.compile("STRUCT 'l7_event' size=(\\d+) vlen=(\\d+)\\n((?:\\t.*\\n)+)").matcher(btf);
    assertThat(struct.find()).as("struct l7_event in the BTF of l7.bpf.o").isTrue();
    Map<String, Integer> offsets = new LinkedHashMap<>();
    Matcher member =
        Pattern.compile("'(\\w+)' type_id=\\d+ bits_offset=(\\d+)").matcher(struct.group(3));
    while (member.find()) {
      offsets.put(member.group(1), Integer.parseInt(member.group(2)) / 8);
    }

    assertThat(Integer.parseInt(struct.group(1))).isEqualTo(CaptureEvent.SIZE);
    assertThat(offsets)
        .containsEntry("ts_ns", CaptureEvent.TS_NS)
        .containsEntry("sock", CaptureEvent.SOCK)
        .containsEntry("tgid", CaptureEvent.TGID)
        .containsEntry("len", CaptureEvent.LEN)
        .containsEntry("captured", CaptureEvent.CAPTURED)
        .containsEntry("sport", CaptureEvent.SPORT)
        .containsEntry("dport", CaptureEvent.DPORT)
        .containsEntry("kind", CaptureEvent.KIND)
        .containsEntry("family", CaptureEvent.FAMILY)
        .containsEntry("flags", CaptureEvent.FLAGS)
        .containsEntry("ptgid", CaptureEvent.PTGID)
        .containsEntry("saddr", CaptureEvent.SADDR)
        .containsEntry("daddr", CaptureEvent.DADDR)
        .containsEntry("comm", CaptureEvent.COMM)
        .containsEntry("slot", CaptureEvent.SLOT);
  }
}
