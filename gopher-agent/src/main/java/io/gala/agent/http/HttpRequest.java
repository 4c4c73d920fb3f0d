package io.gala.agent.http;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** One decoded HTTP request: method, path, query parameters, content type and body. */
public record HttpRequest(
    String method, String path, Map<String, List<String>> query, String contentType, byte[] body) {
  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }
}
