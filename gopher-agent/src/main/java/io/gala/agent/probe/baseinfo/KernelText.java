package io.gala.agent.probe.baseinfo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reading the kernel's text files: all lines (errors propagate), or a first line that may be
 * absent.
 */
final class KernelText {
  private KernelText() {}

  static List<String> lines(Path p) throws IOException {
    return Files.readAllLines(p, StandardCharsets.UTF_8);
  }

  /**
   * The first line, trimmed; "" when the file is absent or unreadable (optional facts such as
   * operstate).
   */
  static String firstLine(Path p) {
    try {
      List<String> l = lines(p);
      return l.isEmpty() ? "" : l.get(0).trim();
    } catch (IOException e) {
      return "";
    }
  }

  /** Whitespace-separated fields of a line. */
  static String[] fields(String line) {
    return line.trim().split("\\s+");
  }
}
