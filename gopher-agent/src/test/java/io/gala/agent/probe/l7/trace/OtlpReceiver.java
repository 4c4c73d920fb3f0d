package io.gala.agent.probe.l7.trace;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;

/**
 * An OTLP/HTTP trace receiver for tests: the JDK's HTTP server on an ephemeral loopback port,
 * decoding each POST /v1/traces body with the real OTLP protobuf classes and answering as a
 * collector does.
 */
final class OtlpReceiver implements AutoCloseable {
  /** A received span with its resource and scope. */
  record Received(Resource resource, String scope, Span span) {
    Map<String, AnyValue> attributes() {
      return span.getAttributesList().stream()
          .collect(Collectors.toMap(KeyValue::getKey, KeyValue::getValue));
    }

    String string(String key) {
      AnyValue v = attributes().get(key);
      return v == null ? null : v.getStringValue();
    }

    Long number(String key) {
      AnyValue v = attributes().get(key);
      return v == null ? null : v.getIntValue();
    }

    long latencyNs() {
      return span.getEndTimeUnixNano() - span.getStartTimeUnixNano();
    }
  }

  private final HttpServer server;
  private final List<Received> spans = new ArrayList<>();
  private final List<String> contentTypes = new ArrayList<>();
  private final List<Throwable> errors = new ArrayList<>();
  private int requests;

  OtlpReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/v1/traces",
        exchange -> {
          try {
            receive(exchange);
          } catch (IOException | RuntimeException | Error e) {
            synchronized (this) {
              errors.add(e);
              notifyAll();
            }
            exchange.sendResponseHeaders(400, -1);
            exchange.close();
          }
        });
    server.start();
  }

  private void receive(com.sun.net.httpserver.HttpExchange exchange) throws IOException {
    byte[] body;
    try (InputStream in =
        "gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))
            ? new GZIPInputStream(exchange.getRequestBody())
            : exchange.getRequestBody()) {
      body = in.readAllBytes();
    }
    ExportTraceServiceRequest req = ExportTraceServiceRequest.parseFrom(body);
    synchronized (this) {
      requests++;
      contentTypes.add(exchange.getRequestHeaders().getFirst("Content-Type"));
      for (ResourceSpans rs : req.getResourceSpansList()) {
        for (ScopeSpans ss : rs.getScopeSpansList()) {
          for (Span s : ss.getSpansList()) {
            spans.add(new Received(rs.getResource(), ss.getScope().getName(), s));
          }
        }
      }
      notifyAll();
    }
    byte[] reply = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
    exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
    exchange.sendResponseHeaders(200, reply.length == 0 ? -1 : reply.length);
    exchange.getResponseBody().write(reply);
    exchange.close();
  }

  /** The endpoint to configure: {@code http://127.0.0.1:<port>}. */
  String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  synchronized List<Received> spans() {
    return List.copyOf(spans);
  }

  synchronized List<String> contentTypes() {
    return List.copyOf(contentTypes);
  }

  /** Waits until the received spans satisfy done, or timeout; returns them. */
  synchronized List<Received> await(Predicate<List<Received>> done, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.test(spans) && errors.isEmpty() && System.nanoTime() < deadline) {
      wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
    }
    if (!errors.isEmpty()) {
      throw new AssertionError("the OTLP receiver could not decode a request", errors.get(0));
    }
    return List.copyOf(spans);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
