package io.gala.agent.probe.socket;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import jnr.ffi.Struct;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Java mirrors of socket.h against the BTF of the compiled socket.bpf.o: sizes and member
 * offsets.
 */
class LayoutsTest {
  private static final Map<String, JsonNode> STRUCTS = new HashMap<>();

  @BeforeAll
  static void readBtf() throws Exception {
    Path obj = Files.createTempFile("socket", ".bpf.o");
    try (InputStream in = LayoutsTest.class.getResourceAsStream("/bpf/socket.bpf.o")) {
      assertThat(in).as("/bpf/socket.bpf.o on the classpath (built by ebpf-probes)").isNotNull();
      Files.copy(in, obj, StandardCopyOption.REPLACE_EXISTING);
    }
    try {
      Process p =
          new ProcessBuilder(
                  "bpftool", "btf", "dump", "file", obj.toString(), "format", "raw", "-j")
              .start();
      JsonNode btf = new ObjectMapper().readTree(p.getInputStream());
      assertThat(p.waitFor()).as("bpftool btf dump (install bpftool)").isZero();
      for (JsonNode t : btf.get("types")) {
        if ("STRUCT".equals(t.path("kind").asText())) {
          STRUCTS.putIfAbsent(t.get("name").asText(), t);
        }
      }
    } finally {
      Files.delete(obj);
    }
  }

  @Test
  void listenKeyMatchesBtf() {
    assertMatches("listen_key", Layouts.LISTEN_KEY, ListenAddress.SIZE);
  }

  @Test
  void listenStatsMatchesBtf() {
    assertMatches("listen_stats", Layouts.LISTEN_STATS, ListenCounters.SIZE);
  }

  @Test
  void listenDropKeyMatchesBtf() {
    assertMatches("listen_drop_key", Layouts.LISTEN_DROP_KEY, ListenAddress.SIZE + 8);
  }

  @Test
  void listenerRecordMatchesBtf() {
    assertMatches("listener_record", Layouts.LISTENER_RECORD, ListenerSocket.SIZE);
  }

  @Test
  void clientKeyMatchesBtf() {
    assertMatches("client_key", Layouts.CLIENT_KEY, ClientEndpoint.SIZE);
  }

  @Test
  void clientStatsMatchesBtf() {
    assertMatches("client_stats", Layouts.CLIENT_STATS, ClientCounters.SIZE);
  }

  private static void assertMatches(String cName, Struct mirror, int sizeConstant) {
    JsonNode c = STRUCTS.get(cName);
    assertThat(c).as("struct " + cName + " in socket.bpf.o's BTF").isNotNull();
    assertThat(Struct.size(mirror))
        .as("sizeof(struct " + cName + ")")
        .isEqualTo(c.get("size").asInt());
    assertThat(sizeConstant)
        .as("size constant of the record of struct " + cName)
        .isEqualTo(c.get("size").asInt());
    Map<String, Long> offsets = new LinkedHashMap<>();
    for (JsonNode m : c.get("members")) {
      offsets.put(m.get("name").asText(), m.get("bits_offset").asLong() / 8);
    }
    assertThat(javaOffsets(mirror))
        .as("members of struct " + cName + " in C order with C offsets")
        .containsExactlyEntriesOf(offsets);
  }

  /** Member name -> byte offset, in declaration order, from the mirror's fields. */
  private static Map<String, Long> javaOffsets(Struct s) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (Field f : s.getClass().getDeclaredFields()) {
      if (Modifier.isStatic(f.getModifiers())) {
        continue;
      }
      try {
        f.setAccessible(true);
        Object v = f.get(s);
        Object first = v instanceof Object[] a ? a[0] : v;
        long offset =
            first instanceof Layouts.ListenKey k
                ? k.offset()
                : ((Struct.NumberField) first).offset();
        out.put(f.getName(), offset);
      } catch (IllegalAccessException e) {
        throw new AssertionError(e);
      }
    }
    return out;
  }
}
