package io.gala.agent.probe.baseinfo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One interface's line of {@code /proc/net/dev} (or {@code /proc/<pid>/net/dev}, which shows the
 * namespace of that process): cumulative receive and transmit counters since the device was
 * created. Public because the container probe sums a container's interfaces from the same file.
 */
public record NetDev(
    String name,
    long rxBytes,
    long rxPackets,
    long rxErrors,
    long rxDropped,
    long txBytes,
    long txPackets,
    long txErrors,
    long txDropped) {

  /**
   * Parses the file: two header lines, then {@code name: rx bytes packets errs drop fifo frame
   * compressed multicast tx bytes packets errs drop fifo colls carrier compressed}.
   *
   * @throws IOException when the file cannot be read, or a line has fewer than 16 counters
   */
  public static List<NetDev> read(Path file) throws IOException {
    List<NetDev> out = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue; // header
      }
      String[] f = line.substring(colon + 1).trim().split("\\s+");
      if (f.length < 16) {
        throw new IOException(
            file + ": expected 16 counters after the device name in '" + line.trim() + "'");
      }
      try {
        out.add(
            new NetDev(
                line.substring(0, colon).trim(),
                Long.parseLong(f[0]),
                Long.parseLong(f[1]),
                Long.parseLong(f[2]),
                Long.parseLong(f[3]),
                Long.parseLong(f[8]),
                Long.parseLong(f[9]),
                Long.parseLong(f[10]),
                Long.parseLong(f[11])));
      } catch (NumberFormatException e) {
        throw new IOException(file + ": not a counter in '" + line.trim() + "'", e);
      }
    }
    return out;
  }

  /** The counters in a fixed order: rx bytes, packets, errors, dropped, then the same for tx. */
  public long[] counters() {
    return new long[] {
      rxBytes, rxPackets, rxErrors, rxDropped, txBytes, txPackets, txErrors, txDropped
    };
  }
}
