package io.gala.agent.probe.l7;

import io.gala.agent.probe.l7.protocol.Protocol;
import io.gala.agent.probe.l7.protocol.Statements;
import java.util.regex.Pattern;

/**
 * Masks literal values in request texts before they leave the agent: SQL literals, HTTP query
 * values and numeric path segments. Redis texts are masked by the parser already (arguments are
 * never kept), Kafka texts carry only the api and client id.
 */
final class TextMasking {
  private static final Pattern QUERY_VALUE = Pattern.compile("=[^&#]*");
  private static final Pattern NUMERIC_SEGMENT = Pattern.compile("/[0-9][0-9a-fA-F-]*(?=/|$)");

  private TextMasking() {}

  static String mask(Protocol protocol, String text) {
    if (text == null) {
      return "";
    }
    return switch (protocol) {
      case PGSQL -> Statements.mask(text, false);
      case MYSQL -> Statements.mask(text, true);
      case HTTP -> maskTarget(text);
      default -> text;
    };
  }

  /** "GET /users/42?token=abc" -> "GET /users/?token=?". */
  static String maskTarget(String requestLine) {
    int q = requestLine.indexOf('?');
    String path = q < 0 ? requestLine : requestLine.substring(0, q);
    String query = q < 0 ? "" : requestLine.substring(q);
    path = NUMERIC_SEGMENT.matcher(path).replaceAll("/?");
    return path + QUERY_VALUE.matcher(query).replaceAll("=?");
  }
}
