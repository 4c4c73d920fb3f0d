package io.gala.agent.bpf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jnr.ffi.LibraryLoader;
import jnr.ffi.LibraryOption;
import jnr.ffi.Runtime;

/** Loads libbpf.so.1 and libc once per JVM and keeps the errno of the last call per thread. */
final class Native {
  private static final List<String> LIBBPF_DIRS =
      List.of(
          "/usr/lib64",
          "/usr/lib/x86_64-linux-gnu",
          "/usr/lib/aarch64-linux-gnu",
          "/usr/lib",
          "/lib64",
          "/lib/x86_64-linux-gnu",
          "/lib/aarch64-linux-gnu",
          "/usr/local/lib",
          "/usr/local/lib64");
  static final Libbpf LIBBPF = load();
  static final LibC LIBC =
      LibraryLoader.create(LibC.class).option(LibraryOption.SaveError, true).load("c");
  static final Runtime RUNTIME = Runtime.getRuntime(LIBBPF);

  private Native() {}

  private static Libbpf load() {
    // The versioned soname, found by path: JNR would look for "libbpf.so.1.so" by name, and the
    // unversioned libbpf.so exists only with the -dev package.
    String path =
        LIBBPF_DIRS.stream()
            .map(d -> Path.of(d, "libbpf.so.1"))
            .filter(Files::exists)
            .map(Path::toString)
            .findFirst()
            .orElseThrow(
                () ->
                    new BpfException(
                        "load libbpf.so.1: not found in "
                            + LIBBPF_DIRS
                            + ": install libbpf 1.x (Debian/Ubuntu: libbpf1, openEuler: libbpf)",
                        null));
    return LibraryLoader.create(Libbpf.class).option(LibraryOption.SaveError, true).load(path);
  }

  /** errno saved after the last native call on this thread. */
  static int errno() {
    return RUNTIME.getLastError();
  }
}
