package io.gala.transport;

import java.util.List;

/**
 * gala-ops identifiers, computed the same way by the agent (events) and the server (records):
 * entity id {@code <machine_id>_<entity>_<key1>_..._<keyN>} with characters outside {@code
 * [A-Za-z0-9_-:.@()+,=;$!*'%]} replaced by {@code :} and at most 254 characters, and metric id
 * {@code gala_gopher_<entity>_<metric>}.
 */
public final class EntityIds {
  static final int MAX_LENGTH = 254;

  private EntityIds() {}

  public static String entityId(String machineId, String entity, List<String> keyValues) {
    StringBuilder sb =
        new StringBuilder(machineId.length() + 64).append(machineId).append('_').append(entity);
    for (String k : keyValues) {
      sb.append('_').append(k);
    }
    for (int i = 0; i < sb.length(); i++) {
      if (!allowed(sb.charAt(i))) {
        sb.setCharAt(i, ':');
      }
    }
    return sb.length() > MAX_LENGTH ? sb.substring(0, MAX_LENGTH) : sb.toString();
  }

  public static String metricId(String entity, String metric) {
    return "gala_gopher_" + entity + "_" + metric;
  }

  private static boolean allowed(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || "_-:.@()+,=;$!*'%".indexOf(c) >= 0;
  }
}
