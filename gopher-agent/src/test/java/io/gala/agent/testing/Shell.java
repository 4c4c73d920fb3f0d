package io.gala.agent.testing;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Runs the commands kernel tests set the machine up with (ip, losetup, dd), failing with their
 * output.
 */
public final class Shell {
  private Shell() {}

  /** Runs a command to completion (30 s at most) and returns its standard output and error. */
  public static String run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException("`" + String.join(" ", cmd) + "` failed: " + out.strip());
    }
    return out;
  }

  /** {@link #run} through {@code sh -c}, for pipelines and redirections. */
  public static String sh(String script) throws Exception {
    return run("sh", "-c", script);
  }

  /** For clean-up: runs a command and ignores its failure (the thing may already be gone). */
  public static void quietly(String... cmd) {
    try {
      Process p =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      p.waitFor(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      // clean-up of something that may not exist
    }
  }
}
