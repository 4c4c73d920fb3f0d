package io.gala.agent.probe.proc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The static C helper of the proc tests (resources/proc/helper.c), compiled once with gcc -static
 * so that no dynamic loader makes syscalls of its own, and one running instance of it.
 */
final class Helper implements AutoCloseable {
  private static Path binary;

  private final Process process;
  private final BufferedReader out;
  private final OutputStream in;

  private Helper(Process process) {
    this.process = process;
    this.out =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
    this.in = process.getOutputStream();
  }

  static synchronized Path binary() throws IOException, InterruptedException {
    if (binary == null) {
      Path dir = Files.createTempDirectory("gala-proc-test");
      Path src = dir.resolve("helper.c");
      try (InputStream res = Helper.class.getResourceAsStream("/proc/helper.c")) {
        Files.copy(res, src);
      }
      Path bin = dir.resolve("helper");
      Process cc =
          new ProcessBuilder(
                  "gcc", "-static", "-O2", "-pthread", "-o", bin.toString(), src.toString())
              .redirectErrorStream(true)
              .start();
      String log = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(cc.waitFor()).as("gcc -static (needs gcc and libc6-dev): " + log).isZero();
      bin.toFile().deleteOnExit();
      src.toFile().deleteOnExit();
      dir.toFile().deleteOnExit();
      binary = bin;
    }
    return binary;
  }

  /**
   * Starts the helper, with a command prefix such as {@code taskset -c 0} or {@code ip netns exec
   * x}.
   */
  static Helper start(List<String> prefix, String... args)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(prefix);
    cmd.add(binary().toString());
    cmd.addAll(List.of(args));
    return new Helper(
        new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start());
  }

  static Helper start(String... args) throws IOException, InterruptedException {
    return start(List.of(), args);
  }

  long pid() {
    return process.pid();
  }

  Process process() {
    return process;
  }

  /** The next line the helper prints; fails when it printed something else or exited. */
  String expect(String prefix) throws IOException {
    String line = out.readLine();
    assertThat(line).as("helper " + pid() + " output").isNotNull().startsWith(prefix);
    return line;
  }

  /** Sends the line a waiting helper waits for. */
  void go() throws IOException {
    in.write('\n');
    in.flush();
  }

  /** Closes stdin, on which every mode ends, and waits for the exit status. */
  int finish() throws IOException, InterruptedException {
    in.close();
    return process.waitFor();
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
