package io.gala.agent.export;

import io.gala.agent.table.Row;
import io.gala.agent.table.TableDef;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The latest row of every entity seen, with the time it was last refreshed. Entities not refreshed
 * for the age-out time (gala-ops: 60 s) are dropped, so that a closed connection's final values
 * stay visible for a while and then disappear. Confined to the sampler thread; readers get an
 * immutable view.
 */
final class SeriesStore {
  private record Entry(Row row, long seenMillis) {}

  private final long ageOutMillis;
  private final Map<String, Map<String, Entry>> byTable = new LinkedHashMap<>();
  private final Map<String, TableDef> tables = new LinkedHashMap<>();

  SeriesStore(long ageOutMillis) {
    this.ageOutMillis = ageOutMillis;
  }

  /** Merges a sample and ages out stale entities; returns the rows now current, table by table. */
  Map<TableDef, List<Row>> update(Sample sample) {
    long now = sample.timestampMillis();
    for (Row row : sample.rows()) {
      TableDef t = row.table();
      tables.putIfAbsent(t.name(), t);
      byTable
          .computeIfAbsent(t.name(), k -> new LinkedHashMap<>())
          .put(row.identity(), new Entry(row, now));
    }
    Map<TableDef, List<Row>> current = new LinkedHashMap<>();
    for (Map.Entry<String, Map<String, Entry>> e : byTable.entrySet()) {
      e.getValue().values().removeIf(entry -> now - entry.seenMillis() > ageOutMillis);
      if (e.getValue().isEmpty()) {
        continue;
      }
      List<Row> rows = new ArrayList<>(e.getValue().size());
      e.getValue().values().forEach(entry -> rows.add(entry.row()));
      rows.sort(Comparator.comparing(Row::identity));
      current.put(tables.get(e.getKey()), List.copyOf(rows));
    }
    byTable.values().removeIf(Map::isEmpty);
    return current;
  }
}
