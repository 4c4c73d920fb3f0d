package io.gala.agent.probe.baseinfo;

import io.gala.agent.bpf.StatFs;
import io.gala.agent.table.Row;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * The {@code fs} table, one row per mounted file system as {@code df} lists them: mounts from
 * {@code /proc/mounts} without pseudo file systems, each block device once (at its shortest mount
 * point, as df does with bind mounts), figures from statvfs(3) and percentages rounded up as df
 * rounds them. statvfs goes through JNR ({@link StatFs}) because {@link java.nio.file.FileStore}
 * has no inode counts. Network file systems are asked on a worker thread with a timeout: a hung NFS
 * server must not stop the sampler; such a mount is skipped (and counted) until its call returns.
 */
final class FsReader {
  private static final Logger LOG = Logger.getLogger(FsReader.class.getName());

  /**
   * Never fill up, or are always full (squashfs, iso9660): df's "dummy" file systems and the like.
   */
  private static final Set<String> PSEUDO =
      Set.of(
          "proc",
          "sysfs",
          "cgroup",
          "cgroup2",
          "devpts",
          "devtmpfs",
          "mqueue",
          "bpf",
          "tracefs",
          "debugfs",
          "securityfs",
          "pstore",
          "configfs",
          "fusectl",
          "hugetlbfs",
          "autofs",
          "binfmt_misc",
          "nsfs",
          "rpc_pipefs",
          "efivarfs",
          "selinuxfs",
          "squashfs",
          "iso9660",
          "ramfs");

  private static final Set<String> REMOTE =
      Set.of(
          "nfs",
          "nfs4",
          "cifs",
          "smb3",
          "ceph",
          "glusterfs",
          "9p",
          "fuse.sshfs",
          "fuse.glusterfs",
          "fuse.cephfs");
  private static final long REMOTE_TIMEOUT_MS = 1000;

  private record Mount(String source, String mountOn, String type, boolean readOnly) {}

  private final Path proc;
  private final Function<String, StatFs> statfs;
  private final Map<String, Future<StatFs>> pending = new HashMap<>();
  private ExecutorService remote;
  private long hung;

  /**
   * @param statfs statvfs(3) of a mount point, null when it cannot be read
   */
  FsReader(Path proc, Function<String, StatFs> statfs) {
    this.proc = proc;
    this.statfs = statfs;
  }

  /** statvfs calls on network file systems that did not return within the timeout, since start. */
  long hung() {
    return hung;
  }

  void read(Consumer<Row> sink) throws IOException {
    for (Mount m : mounts()) {
      StatFs s = REMOTE.contains(m.type) ? statRemote(m.mountOn) : statfs.apply(m.mountOn);
      if (s == null || s.blocks() == 0) {
        continue; // gone since /proc/mounts was read, or a file system with no blocks
      }
      long used = (s.blocks() - s.blocksFree()) * s.fragmentSize();
      long avail = s.blocksAvailable() * s.fragmentSize();
      long iused = s.files() - s.filesFree();
      sink.accept(
          BaseinfoTables.FS
              .row()
              .key("MountOn", m.mountOn)
              .label("MountStatus", m.readOnly ? "RO" : "RW")
              .label("Fsname", m.source)
              .label("Fstype", m.type)
              .label("Inodes", s.files())
              .label("Blocks", s.blocks() * s.fragmentSize() / 1024)
              .set("Used", used)
              .set("Free", avail)
              .set("UsePer", percentUp(used, used + avail))
              .set("IUsed", iused)
              .set("IFree", s.filesFree())
              .set("IUsePer", percentUp(iused, s.files()))
              .build());
    }
  }

  /** df's rounding: the smallest integer percentage not below the exact one. */
  private static double percentUp(long part, long whole) {
    return whole <= 0 ? 0 : (part * 100 + whole - 1) / whole;
  }

  private List<Mount> mounts() throws IOException {
    Map<String, Mount> byMountPoint = new LinkedHashMap<>();
    for (String line : KernelText.lines(proc.resolve("mounts"))) {
      String[] f = line.split(" ");
      if (f.length < 4 || PSEUDO.contains(f[2])) {
        continue;
      }
      Mount m =
          new Mount(unescape(f[0]), unescape(f[1]), f[2], List.of(f[3].split(",")).contains("ro"));
      byMountPoint.remove(m.mountOn);
      byMountPoint.put(m.mountOn, m); // a later mount on the same point hides the earlier one
    }
    Map<String, Mount> byDevice = new LinkedHashMap<>();
    List<Mount> out = new ArrayList<>();
    for (Mount m : byMountPoint.values()) {
      if (!m.source.startsWith("/dev/")) {
        out.add(m);
        continue;
      }
      Mount seen = byDevice.get(m.source);
      if (seen == null || m.mountOn.length() < seen.mountOn.length()) {
        byDevice.put(m.source, m);
      }
    }
    out.addAll(byDevice.values());
    return out;
  }

  /** /proc/mounts escapes space, tab, newline and backslash as octal (\040). */
  static String unescape(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
        b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  private StatFs statRemote(String mountOn) {
    if (remote == null) {
      remote =
          Executors.newCachedThreadPool(
              r -> {
                Thread t = new Thread(r, "baseinfo-statvfs");
                t.setDaemon(true);
                return t;
              });
    }
    Future<StatFs> f = pending.computeIfAbsent(mountOn, m -> remote.submit(() -> statfs.apply(m)));
    try {
      StatFs s = f.get(REMOTE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
      pending.remove(mountOn);
      return s;
    } catch (TimeoutException e) {
      if (hung++ < 5) {
        LOG.warning(
            "baseinfo: statvfs("
                + mountOn
                + ") has not returned in "
                + REMOTE_TIMEOUT_MS
                + " ms (server unreachable?); the mount is skipped until it does");
      }
      return null;
    } catch (ExecutionException e) {
      pending.remove(mountOn);
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  void close() {
    if (remote != null) {
      remote.shutdownNow();
    }
  }
}
