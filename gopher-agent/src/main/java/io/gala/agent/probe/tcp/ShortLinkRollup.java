package io.gala.agent.probe.tcp;

import io.gala.agent.table.Histogram;
import io.gala.agent.table.MetricDef;
import io.gala.agent.table.MetricKind;
import io.gala.agent.table.Row;
import io.gala.agent.table.TableDef;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Folds connection storms into one series per peer. A connection that opened and closed between two
 * samples is one series set per client port: at 10k connections/s that is 600k live series in the
 * exporter's 60 s window, more heap than the agent has and more series than Prometheus should take.
 * So when more than {@code threshold} such connections of one key (process, role, addresses, server
 * port) close within one sample period, that key's short connections are summed into one row with
 * {@code client_port="0"}: counters summed, histograms merged, gauges left out (an instant of a
 * closed connection means nothing for a sum). Once folded, a key stays folded until it has been
 * quiet for {@code quietMillis}, so that its series do not flip between the two forms; the folded
 * row is then forgotten and ages out of the exporter like any other. Connections seen alive at a
 * sample keep their own series to the end, and so do short ones below the threshold.
 */
final class ShortLinkRollup {
  static final String FOLDED_PORT = "0";

  private final int threshold;
  private final long quietMillis;

  /** Folded rows by identity (client_port already "0"). */
  private final Map<String, Folded> folded = new LinkedHashMap<>();

  /**
   * Keys in storm mode (identity of the tcp_link row without client_port) -> last time one was
   * folded.
   */
  private final Map<String, Long> storming = new HashMap<>();

  private long foldedConnections;

  ShortLinkRollup(int threshold, long quietMillis) {
    this.threshold = threshold;
    this.quietMillis = quietMillis;
  }

  /**
   * The short connections of one sample, offered one by one so that a storm never piles up rows.
   */
  Period period(long nowMillis) {
    return new Period(nowMillis);
  }

  /**
   * One sample's short connections. A connection of a key already storming is folded at once; the
   * others wait, up to the threshold per key, to be exported one by one at {@link #finish}. The key
   * whose waiting list passes the threshold starts storming and its list is folded: at most {@code
   * threshold} connections' rows per key are held.
   */
  final class Period {
    private final long nowMillis;
    private final Map<String, List<List<Row>>> waiting = new LinkedHashMap<>();

    private Period(long nowMillis) {
      this.nowMillis = nowMillis;
    }

    void offer(List<Row> rows, Consumer<Row> sink) {
      if (rows.isEmpty()) {
        return;
      }
      String peer = peerKey(rows.get(0));
      if (storming.containsKey(peer)) {
        storming.put(peer, nowMillis);
        rows.forEach(ShortLinkRollup.this::add);
        foldedConnections++;
        return;
      }
      List<List<Row>> list = waiting.computeIfAbsent(peer, k -> new ArrayList<>());
      list.add(rows);
      if (list.size() > threshold) {
        storming.put(peer, nowMillis);
        list.forEach(r -> r.forEach(ShortLinkRollup.this::add));
        foldedConnections += list.size();
        waiting.remove(peer);
      }
    }

    /** Exports the connections of keys that stayed under the threshold, one by one. */
    void finish(Consumer<Row> sink) {
      waiting.values().forEach(list -> list.forEach(rows -> rows.forEach(sink)));
      waiting.clear();
    }
  }

  /** Emits the folded rows of keys still storming; forgets keys quiet for {@code quietMillis}. */
  void emit(Consumer<Row> sink, long nowMillis) {
    storming.values().removeIf(last -> nowMillis - last > quietMillis);
    for (Iterator<Folded> it = folded.values().iterator(); it.hasNext(); ) {
      Folded f = it.next();
      if (!storming.containsKey(f.peer)) {
        it.remove();
      } else {
        sink.accept(f.toRow());
      }
    }
  }

  /** Connections folded since the probe started (agent health counter). */
  long foldedConnections() {
    return foldedConnections;
  }

  private void add(Row row) {
    List<String> keys = new ArrayList<>(row.keyValues());
    keys.set(row.table().keys().indexOf("client_port"), FOLDED_PORT);
    String id = row.table().name() + '\u0001' + String.join("\u0000", keys);
    folded.computeIfAbsent(id, k -> new Folded(row.table(), keys, peerKey(row))).add(row);
  }

  /** The tcp_link key without client_port: what a storm's connections share. */
  private static String peerKey(Row row) {
    StringBuilder b = new StringBuilder();
    for (String k :
        new String[] {"tgid", "role", "client_ip", "server_ip", "server_port", "protocol"}) {
      b.append(row.key(k)).append('\u0000');
    }
    return b.toString();
  }

  /** Sums of one folded row. */
  private static final class Folded {
    final TableDef table;
    final List<String> keys;
    final String peer;
    List<String> labels;
    final double[] sums;
    final Histogram[] histograms;

    Folded(TableDef table, List<String> keys, String peer) {
      this.table = table;
      this.keys = keys;
      this.peer = peer;
      this.sums = new double[table.metrics().size()];
      java.util.Arrays.fill(sums, Double.NaN);
      this.histograms = new Histogram[table.metrics().size()];
    }

    void add(Row row) {
      labels = row.labelValues();
      List<MetricDef> metrics = table.metrics();
      for (int i = 0; i < metrics.size(); i++) {
        if (metrics.get(i).kind() == MetricKind.COUNTER && !Double.isNaN(row.value(i))) {
          sums[i] = (Double.isNaN(sums[i]) ? 0 : sums[i]) + row.value(i);
        } else if (metrics.get(i).kind() == MetricKind.HISTOGRAM && row.histogram(i) != null) {
          histograms[i] = merge(histograms[i], row.histogram(i));
        }
      }
    }

    Row toRow() {
      Row.Builder b = table.row();
      for (int i = 0; i < keys.size(); i++) {
        b.key(table.keys().get(i), keys.get(i));
      }
      for (int i = 0; i < labels.size(); i++) {
        b.label(table.labels().get(i), labels.get(i));
      }
      for (int i = 0; i < sums.length; i++) {
        if (!Double.isNaN(sums[i])) {
          b.set(table.metrics().get(i).name(), sums[i]);
        } else if (histograms[i] != null) {
          b.histogram(table.metrics().get(i).name(), histograms[i]);
        }
      }
      return b.build();
    }
  }

  /** Bucket-wise sum over the union of both histograms' bounds. */
  static Histogram merge(Histogram a, Histogram b) {
    if (a == null) {
      return b;
    }
    TreeMap<Double, Long> counts = new TreeMap<>();
    for (Histogram h : List.of(a, b)) {
      for (int i = 0; i < h.counts().length; i++) {
        counts.merge(h.upperBounds()[i], h.counts()[i], Long::sum);
      }
    }
    double[] bounds = new double[counts.size()];
    long[] c = new long[counts.size()];
    int i = 0;
    for (Map.Entry<Double, Long> e : counts.entrySet()) {
      bounds[i] = e.getKey();
      c[i++] = e.getValue();
    }
    return new Histogram(bounds, c, a.sum() + b.sum(), a.count() + b.count());
  }
}
