package io.gala.agent.probe.l7.mysql;

import io.gala.agent.probe.l7.protocol.Status;
import java.util.Set;

/**
 * Names of MySQL command bytes (the api of commands without SQL text) and ERR code classification.
 */
final class Commands {
  /**
   * Error codes about the server's state rather than the request: out of memory or disk, too many
   * connections, shutdown, lock wait timeout, deadlock, read-only, interrupted or timed-out
   * statements.
   */
  private static final Set<Integer> SERVER_ERRORS =
      Set.of(
          1021, 1037, 1038, 1040, 1041, 1053, 1077, 1152, 1153, 1184, 1205, 1213, 1290, 1317, 1969,
          3024);

  private Commands() {}

  /** COM_* name without the prefix, or null for a byte that is no command. */
  static String name(int cmd) {
    return switch (cmd) {
      case 0x02 -> "INIT_DB";
      case 0x04 -> "FIELD_LIST";
      case 0x05 -> "CREATE_DB";
      case 0x06 -> "DROP_DB";
      case 0x07 -> "REFRESH";
      case 0x08 -> "SHUTDOWN";
      case 0x09 -> "STATISTICS";
      case 0x0a -> "PROCESS_INFO";
      case 0x0c -> "PROCESS_KILL";
      case 0x0d -> "DEBUG";
      case 0x0e -> "PING";
      case 0x11 -> "CHANGE_USER";
      case 0x1a -> "STMT_RESET";
      case 0x1b -> "SET_OPTION";
      case 0x1f -> "RESET_CONNECTION";
      default -> null;
    };
  }

  static Status errorStatus(int code) {
    return SERVER_ERRORS.contains(code) || code >= 2000 && code < 3000
        ? Status.SERVER_ERROR
        : Status.CLIENT_ERROR;
  }
}
