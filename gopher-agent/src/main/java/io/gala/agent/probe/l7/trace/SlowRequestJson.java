package io.gala.agent.probe.l7.trace;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.gala.agent.probe.l7.SlowRequest;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The body of {@code GET /l7/slow_requests}: {@code {"periods": [{"timestamp": <ms>, "requests":
 * [{"timestamp", "latency_ns", "protocol", "api", "text", "tgid", "comm", "l7_role", "client",
 * "server"}, ...]}, ...]}}, newest period first, slowest request first. Texts longer than {@link
 * #MAX_TEXT} characters are cut and end with "...".
 */
final class SlowRequestJson {
  static final int MAX_TEXT = 512;
  private static final JsonFactory FACTORY = new JsonFactory();

  private SlowRequestJson() {}

  static String periods(List<SlowRequestLog.Period> periods) {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.writeStartObject();
      g.writeArrayFieldStart("periods");
      for (SlowRequestLog.Period p : periods) {
        g.writeStartObject();
        g.writeNumberField("timestamp", p.timestampMillis());
        g.writeArrayFieldStart("requests");
        for (SlowRequest r : p.requests()) {
          request(g, r);
        }
        g.writeEndArray();
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("writing slow requests as JSON", e);
    }
    return out.toString();
  }

  private static void request(JsonGenerator g, SlowRequest r) throws IOException {
    g.writeStartObject();
    g.writeNumberField("timestamp", r.timestampMillis());
    g.writeNumberField("latency_ns", r.latencyNs());
    g.writeStringField("protocol", r.protocol());
    g.writeStringField("api", r.api());
    g.writeStringField("text", bounded(r.text(), MAX_TEXT));
    g.writeNumberField("tgid", r.tgid());
    g.writeStringField("comm", r.comm());
    g.writeStringField("l7_role", r.role());
    g.writeStringField("client", r.client());
    g.writeStringField("server", r.server());
    g.writeEndObject();
  }

  /**
   * At most max characters: longer texts keep max - 3 and end with "..." (never a split surrogate).
   */
  static String bounded(String text, int max) {
    if (text == null) {
      return "";
    }
    if (text.length() <= max) {
      return text;
    }
    int end = max - 3;
    if (Character.isHighSurrogate(text.charAt(end - 1))) {
      end--;
    }
    return text.substring(0, end) + "...";
  }
}
