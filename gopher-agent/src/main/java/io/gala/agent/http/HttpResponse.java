package io.gala.agent.http;

import java.nio.charset.StandardCharsets;

/** A response to send: status, content type and body bytes. */
public record HttpResponse(int status, String contentType, byte[] body) {
  public static HttpResponse text(int status, String text) {
    return new HttpResponse(
        status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
  }

  public static HttpResponse json(int status, String json) {
    return new HttpResponse(status, "application/json", json.getBytes(StandardCharsets.UTF_8));
  }
}
