package io.gala.agent.probe.io;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/** A loop device over a file, created for one test and removed by {@link #close}. */
final class LoopDevice implements AutoCloseable {
  static final int BLOCK = 4096;

  final Path backing;
  final String device;
  final long major;
  final long minor;

  private LoopDevice(Path backing, String device) throws IOException {
    this.backing = backing;
    this.device = device;
    String name = Path.of(device).getFileName().toString();
    String[] mm = Files.readString(Path.of("/sys/block", name, "dev")).strip().split(":");
    this.major = Long.parseLong(mm[0]);
    this.minor = Long.parseLong(mm[1]);
  }

  /**
   * A loop device over a new file of random bytes; directIo: the loop reads its file with O_DIRECT.
   */
  static LoopDevice create(Path backing, long bytes, boolean directIo) throws Exception {
    try (RandomAccessFile f = new RandomAccessFile(backing.toFile(), "rw")) {
      byte[] chunk = new byte[1 << 20];
      new Random(42).nextBytes(chunk);
      for (long at = 0; at < bytes; at += chunk.length) {
        f.write(chunk, 0, (int) Math.min(chunk.length, bytes - at));
      }
    }
    return attach(backing, directIo);
  }

  /** A loop device over an existing (possibly sparse) file. */
  static LoopDevice attach(Path backing, boolean directIo) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("losetup", "-f", "--show"));
    if (directIo) {
      cmd.add("--direct-io=on");
    }
    cmd.add(backing.toString());
    return new LoopDevice(backing, run(cmd.toArray(String[]::new)).strip());
  }

  String name() {
    return Path.of(device).getFileName().toString();
  }

  void scheduler(String scheduler) throws IOException {
    Files.writeString(Path.of("/sys/block", name(), "queue/scheduler"), scheduler);
  }

  void nrRequests(int n) throws IOException {
    Files.writeString(Path.of("/sys/block", name(), "queue/nr_requests"), Integer.toString(n));
  }

  /** An O_DIRECT channel on the device. */
  FileChannel openDirect(boolean write) throws IOException {
    return write
        ? FileChannel.open(
            Path.of(device), StandardOpenOption.WRITE, com.sun.nio.file.ExtendedOpenOption.DIRECT)
        : FileChannel.open(
            Path.of(device), StandardOpenOption.READ, com.sun.nio.file.ExtendedOpenOption.DIRECT);
  }

  /** A 4 KiB buffer aligned to 4 KiB, as O_DIRECT needs. */
  static ByteBuffer alignedBlock() {
    // slice: capacity exactly one block, so that clear() never widens it.
    return ByteBuffer.allocateDirect(2 * BLOCK).alignedSlice(BLOCK).slice(0, BLOCK);
  }

  /** This device's line of /proc/diskstats: [reads, read sectors, writes, write sectors]. */
  long[] diskstats() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/diskstats"))) {
      String[] f = line.trim().split("\\s+");
      if (f[2].equals(name())) {
        return new long[] {
          Long.parseLong(f[3]), Long.parseLong(f[5]), Long.parseLong(f[7]), Long.parseLong(f[9])
        };
      }
    }
    throw new IllegalStateException(name() + " is not in /proc/diskstats");
  }

  static String run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
    }
    return out;
  }

  @Override
  public void close() throws Exception {
    run("losetup", "-d", device);
    Files.deleteIfExists(backing);
  }
}
