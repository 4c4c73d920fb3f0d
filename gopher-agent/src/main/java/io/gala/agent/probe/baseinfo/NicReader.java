package io.gala.agent.probe.baseinfo;

import io.gala.agent.table.Row;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The {@code nic} table, one row per interface of a network namespace: cumulative counters from its
 * {@code net/dev} file, receive and transmit rates over the last sample period, and the operational
 * state from {@code /sys/class/net/<dev>/operstate} when the namespace is the one /sys shows.
 */
final class NicReader {
  private final Path sys;
  private final Counters counters = new Counters();

  NicReader(Path sys) {
    this.sys = sys;
  }

  /** Rows from a net/dev file; {@code sysShowsIt}: /sys/class/net belongs to the same namespace. */
  void read(Consumer<Row> sink, Path netDev, boolean sysShowsIt, long nowMillis)
      throws IOException {
    Set<String> seen = new HashSet<>();
    for (NetDev d : NetDev.read(netDev)) {
      seen.add(d.name());
      Row.Builder r =
          BaseinfoTables.NIC
              .row()
              .key("dev_name", d.name())
              .set("rx_bytes", d.rxBytes())
              .set("rx_packets", d.rxPackets())
              .set("rx_errs", d.rxErrors())
              .set("rx_dropped", d.rxDropped())
              .set("tx_bytes", d.txBytes())
              .set("tx_packets", d.txPackets())
              .set("tx_errs", d.txErrors())
              .set("tx_dropped", d.txDropped());
      if (sysShowsIt) {
        r.label(
            "status",
            KernelText.firstLine(sys.resolve("class/net").resolve(d.name()).resolve("operstate")));
      }
      Counters.Delta delta = counters.delta(d.name(), d.counters(), nowMillis);
      if (delta != null) {
        double secs = delta.millis() / 1000.0;
        r.set("rxspeed_KB", delta.d()[0] / 1024.0 / secs)
            .set("txspeed_KB", delta.d()[4] / 1024.0 / secs);
      }
      sink.accept(r.build());
    }
    counters.retain(seen);
  }
}
