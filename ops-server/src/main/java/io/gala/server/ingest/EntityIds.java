package io.gala.server.ingest;

/**
 * Builds gala-ops entity ids, the one naming scheme the topology, the time series and the REST API
 * share.
 */
public final class EntityIds {
  static final int MAX_CHARS = 254;

  private EntityIds() {}

  /** {@code <machine_id>_<entity>_<key1>_..._<keyN>}, sanitized and cut to 254 characters. */
  public static String of(String machineId, String entity, Iterable<String> keyValues) {
    StringBuilder b = new StringBuilder(96);
    append(b, machineId);
    b.append('_');
    append(b, entity);
    for (String v : keyValues) {
      b.append('_');
      append(b, v);
    }
    return b.length() <= MAX_CHARS ? b.toString() : b.substring(0, MAX_CHARS);
  }

  /** Same with the key values given inline. */
  public static String of(String machineId, String entity, String... keyValues) {
    return of(machineId, entity, java.util.Arrays.asList(keyValues));
  }

  private static void append(StringBuilder b, String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      b.append(allowed(c) ? c : '_');
    }
  }

  private static boolean allowed(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || "_-:.@()+,=;$!*'%".indexOf(c) >= 0;
  }
}
