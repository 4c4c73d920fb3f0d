package io.gala.agent.probe.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Names of block devices by number, from sysfs: {@code blk_name} is the device itself ({@code
 * loop3}, {@code dm-0}); {@code disk_name} the disk under it as {@code lsblk -t} shows it: the
 * parent of a partition, or the disk below a stacked device ({@code slaves/}), else the device
 * itself.
 */
final class BlockDevices {
  private static final int MAX_DEPTH = 8;

  /** The two labels of table block. */
  record Names(String blkName, String diskName) {
    static final Names UNKNOWN = new Names("", "");
  }

  private final Path sys;
  private final Map<Long, Names> cache = new HashMap<>();

  BlockDevices() {
    this(Path.of("/sys"));
  }

  /** For tests: a sysfs fixture directory. */
  BlockDevices(Path sys) {
    this.sys = sys;
  }

  /**
   * Whether the device still exists; a removed device is reported one last time, then forgotten.
   */
  boolean exists(long major, long minor) {
    return Files.exists(devLink(major, minor));
  }

  Names names(long major, long minor) {
    long id = major << 20 | minor;
    Names n = cache.get(id);
    if (n == null) {
      n = read(major, minor);
      if (!n.blkName().isEmpty()) {
        cache.put(id, n);
      }
    }
    return n;
  }

  void forget(long major, long minor) {
    cache.remove(major << 20 | minor);
  }

  private Path devLink(long major, long minor) {
    return sys.resolve("dev/block/" + major + ":" + minor);
  }

  private Names read(long major, long minor) {
    try {
      Path dev = devLink(major, minor).toRealPath();
      return new Names(dev.getFileName().toString(), diskUnder(dev, 0));
    } catch (IOException e) {
      return Names.UNKNOWN;
    }
  }

  private String diskUnder(Path dev, int depth) throws IOException {
    if (Files.exists(dev.resolve("partition"))) {
      return dev.getParent().getFileName().toString();
    }
    Path slaves = dev.resolve("slaves");
    if (depth < MAX_DEPTH && Files.isDirectory(slaves)) {
      try (Stream<Path> s = Files.list(slaves)) {
        Path first = s.sorted().findFirst().orElse(null);
        if (first != null) {
          return diskUnder(first.toRealPath(), depth + 1);
        }
      }
    }
    return dev.getFileName().toString();
  }
}
