package io.gala.agent.probe.l7.tls;

import io.gala.agent.bpf.BpfObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * Attaches the l7 program's OpenSSL uprobes ({@code l7.bpf.c}, "TLS through OpenSSL") to each
 * distinct {@code libssl.so.3} file: the system's (from {@code ldconfig -p}) at start, and those
 * snooped processes map (from {@code /proc/<pid>/maps}, through {@code /proc/<pid>/root} so that a
 * container's own copy is found too). A file is attached once, by device and inode: a uprobe is per
 * file, so two paths of one file (/lib and /usr/lib) attached twice would send every call twice.
 *
 * <p>The uprobes fire in every process that calls into the file; the program drops calls of
 * processes not snooped at once. No libssl on the host means no TLS visibility, logged, not a probe
 * failure. OpenSSL linked statically into a program, and other TLS libraries, are not seen.
 */
public final class OpenSslUprobes {
  private static final Logger LOG = Logger.getLogger(OpenSslUprobes.class.getName());
  private static final String LIBRARY = "libssl.so.3";
  private static final String ENTRY = "l7_ssl_enter";

  /** The functions and the uretprobe of each; all share the entry program. */
  private static final Map<String, String> RETURNS =
      Map.of(
          "SSL_read",
          "l7_ssl_read_ret",
          "SSL_write",
          "l7_ssl_write_ret",
          "SSL_read_ex",
          "l7_ssl_read_ex_ret",
          "SSL_write_ex",
          "l7_ssl_write_ex_ret");

  /** Where distributions put it, for hosts without ldconfig's cache. */
  private static final List<String> KNOWN_PATHS =
      List.of(
          "/usr/lib/x86_64-linux-gnu/libssl.so.3",
          "/usr/lib64/libssl.so.3",
          "/usr/lib/libssl.so.3",
          "/usr/lib/aarch64-linux-gnu/libssl.so.3");

  private static final int MAX_FILES = 256;

  /**
   * A mapped path of libssl.so.3 or the file it links to (libssl.so.3.0.12 on some distributions).
   */
  private static final Pattern MAPPED = Pattern.compile("/libssl\\.so\\.3(\\.\\d+)*$");

  private final BpfObject obj;
  private final Set<String> files = new HashSet<>();
  private final List<String> attached = new ArrayList<>();
  private long failures;

  /** For the loaded l7 object; attaches nothing yet. */
  public OpenSslUprobes(BpfObject obj) {
    this.obj = obj;
  }

  /** Attaches to the system's libssl.so.3; logs, and returns false, when the host has none. */
  public boolean attachSystemLibrary() {
    Path lib = systemLibrary();
    if (lib == null) {
      LOG.info(
          "l7: no "
              + LIBRARY
              + " on this host (ldconfig -p, "
              + KNOWN_PATHS
              + "): TLS connections are"
              + " not seen, except through libraries snooped processes map");
      return false;
    }
    return attach(lib);
  }

  /** Attaches to the libssl.so.3 the process maps, if it is one not attached yet. */
  public void offerProcess(long pid) {
    List<String> lines;
    try {
      lines = Files.readAllLines(Path.of("/proc", Long.toString(pid), "maps"));
    } catch (IOException e) {
      return; // exited, or a kernel thread
    }
    for (String line : lines) {
      int slash = line.indexOf('/');
      if (slash < 0 || !MAPPED.matcher(line).find()) {
        continue; // also skips "(deleted)" files: a replaced library is reattached when a new
        // process maps it
      }
      attach(Path.of("/proc", Long.toString(pid), "root", line.substring(slash + 1)));
      return;
    }
  }

  /** Files attached and attach failures, for the probe's health. */
  public Map<String, Long> health() {
    Map<String, Long> h = new LinkedHashMap<>();
    h.put("tls_libraries", (long) attached.size());
    h.put("tls_attach_failures", failures);
    return h;
  }

  private boolean attach(Path lib) {
    String id;
    try {
      id = Files.getAttribute(lib, "unix:dev") + ":" + Files.getAttribute(lib, "unix:ino");
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
    if (files.size() >= MAX_FILES || !files.add(id)) {
      return false;
    }
    Map<String, Long> offsets;
    try {
      offsets = ElfSymbols.functionOffsets(lib, RETURNS.keySet());
    } catch (IOException | RuntimeException e) {
      failures++;
      LOG.warning(
          "l7: cannot read the symbols of "
              + lib
              + " ("
              + e.getMessage()
              + "): TLS through it is not seen");
      return false;
    }
    if (!offsets.containsKey("SSL_read") || !offsets.containsKey("SSL_write")) {
      failures++;
      LOG.warning(
          "l7: " + lib + " exports no SSL_read/SSL_write: not OpenSSL, TLS through it is not seen");
      return false;
    }
    try {
      for (Map.Entry<String, Long> f : offsets.entrySet()) {
        obj.attachUprobe(ENTRY, false, -1, lib.toString(), f.getValue());
        obj.attachUprobe(RETURNS.get(f.getKey()), true, -1, lib.toString(), f.getValue());
      }
    } catch (RuntimeException e) {
      // Uprobes already attached to this file stay: their calls are still correct, just incomplete.
      failures++;
      LOG.warning(
          "l7: attaching the OpenSSL uprobes to "
              + lib
              + " failed: "
              + e.getMessage()
              + "; TLS through it is (partly) not seen");
      return false;
    }
    attached.add(lib.toString());
    LOG.info(() -> "l7: TLS plaintext through uprobes on " + offsets.keySet() + " of " + lib);
    return true;
  }

  private static Path systemLibrary() {
    try {
      Process p = new ProcessBuilder("ldconfig", "-p").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      p.waitFor();
      for (String line : out.split("\n")) {
        String l = line.strip();
        int arrow = l.indexOf("=> ");
        if (l.startsWith(LIBRARY + " ") && arrow > 0 && l.contains("x86-64") == isX8664()) {
          return Path.of(l.substring(arrow + 3).strip());
        }
      }
    } catch (IOException e) {
      // no ldconfig: look where distributions put it
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return KNOWN_PATHS.stream().map(Path::of).filter(Files::isRegularFile).findFirst().orElse(null);
  }

  private static boolean isX8664() {
    String arch = System.getProperty("os.arch");
    return arch.equals("amd64") || arch.equals("x86_64");
  }
}
