package io.gala.server.ingest;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks one record's shape before anything stores it, and names the first problem as a short
 * reason that becomes the {@code reason} label of the rejected-records counter.
 */
final class RecordValidator {
  static final int MAX_FIELDS = 64;
  static final int MAX_VALUE_CHARS = 4096;
  static final int MAX_ID_CHARS = 254;
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");

  /** 2000-01-01: anything earlier is a zero or garbage clock, not a real sample. */
  private static final long EARLIEST_MILLIS = 946_684_800_000L;

  private static final long MAX_FUTURE_MILLIS = 10 * 60_000L;

  private RecordValidator() {}

  /** Null when the record is valid, else the reason it is not. */
  static String problem(IngestedRecord r, String batchMachineId, long nowMillis) {
    if (!validMachineId(r.machineId())) {
      return "bad_machine_id";
    }
    if (!r.machineId().equals(batchMachineId)) {
      return "machine_id_mismatch";
    }
    if (r.table() == null
        || !NAME.matcher(r.table()).matches()
        || r.entity() == null
        || !NAME.matcher(r.entity()).matches()) {
      return "bad_entity";
    }
    if (r.timestampMillis() < EARLIEST_MILLIS
        || r.timestampMillis() > nowMillis + MAX_FUTURE_MILLIS) {
      return "bad_timestamp";
    }
    if (r.keys().size() + r.labels().size() > MAX_FIELDS
        || r.values().size() + r.histograms().size() > MAX_FIELDS * 4) {
      return "too_many_fields";
    }
    if (!validFields(r.keys()) || !validFields(r.labels())) {
      return "bad_field";
    }
    for (Map.Entry<String, Double> v : r.values().entrySet()) {
      if (!NAME.matcher(v.getKey()).matches()
          || v.getValue() == null
          || v.getValue().isInfinite()) {
        return "bad_value";
      }
    }
    for (Map.Entry<String, IngestedHistogram> h : r.histograms().entrySet()) {
      if (!NAME.matcher(h.getKey()).matches() || !validHistogram(h.getValue())) {
        return "bad_histogram";
      }
    }
    return null;
  }

  static boolean validMachineId(String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_ID_CHARS) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        return false;
      }
    }
    return true;
  }

  private static boolean validFields(Map<String, String> fields) {
    for (Map.Entry<String, String> f : fields.entrySet()) {
      if (!NAME.matcher(f.getKey()).matches()
          || f.getValue() == null
          || f.getValue().length() > MAX_VALUE_CHARS) {
        return false;
      }
    }
    return true;
  }

  private static boolean validHistogram(IngestedHistogram h) {
    if (h == null || h.count() < 0 || Double.isNaN(h.sum())) {
      return false;
    }
    double previous = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < h.upperBounds().length; i++) {
      if (!(h.upperBounds()[i] > previous) || h.counts()[i] < 0) {
        return false;
      }
      previous = h.upperBounds()[i];
    }
    return true;
  }
}
