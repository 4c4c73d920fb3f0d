package io.gala.agent.control;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The probes.init file of gala-gopher: one line {@code <probe> <json>} per configured probe,
 * rewritten atomically after every accepted change and applied when the agent starts.
 */
final class ProbesInit {
  private static final Logger LOG = Logger.getLogger(ProbesInit.class.getName());
  private final Path file;

  ProbesInit(Path file) {
    this.file = file;
  }

  Path file() {
    return file;
  }

  boolean exists() {
    return Files.exists(file);
  }

  /** Probe name to config JSON, in file order; malformed lines are logged and skipped. */
  Map<String, String> read() throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    if (!Files.exists(file)) {
      return out;
    }
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int sp = line.indexOf(' ');
      if (sp <= 0) {
        LOG.warning(file + ":" + (i + 1) + ": expected \"<probe> <json>\", skipping: " + line);
        continue;
      }
      out.put(line.substring(0, sp), line.substring(sp + 1).strip());
    }
    return out;
  }

  /** Replaces the file with these lines (write to a temp file, then rename). */
  void write(Map<String, String> configs) throws IOException {
    StringBuilder b = new StringBuilder();
    configs.forEach((probe, json) -> b.append(probe).append(' ').append(json).append('\n'));
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, ".probes.init", ".tmp");
    Files.writeString(tmp, b, StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
