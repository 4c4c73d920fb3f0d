package io.gala.agent.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * Names of the BPF programs a process holds, from the kernel: the prog_id lines of its fds' fdinfo
 * (program and link fds), resolved with bpftool. (Debian's bpftool is built without the pids
 * column.)
 */
public final class BpfPrograms {
  private BpfPrograms() {}

  public static Set<String> heldBy(long pid) throws IOException, InterruptedException {
    Set<String> ids = new HashSet<>();
    try (DirectoryStream<Path> fds =
        Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fdinfo"))) {
      for (Path fd : fds) {
        try {
          for (String line : Files.readAllLines(fd)) {
            if (line.startsWith("prog_id:")) {
              ids.add(line.substring(8).trim());
            }
          }
        } catch (IOException e) {
          // fd closed meanwhile
        }
      }
    }
    Set<String> names = new HashSet<>();
    for (String id : ids) {
      Process p = new ProcessBuilder("bpftool", "prog", "show", "id", id, "-j").start();
      JsonNode prog = new ObjectMapper().readTree(p.getInputStream());
      p.waitFor();
      if (prog != null && prog.has("name")) {
        names.add(prog.get("name").asText());
      }
    }
    return names;
  }
}
