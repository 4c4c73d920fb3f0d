package io.gala.agent.probe.l7.trace;

import io.gala.agent.probe.Identity;
import io.gala.agent.probe.l7.SlowRequest;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Slow requests as OpenTelemetry spans, sent by the OpenTelemetry SDK's OTLP exporter
 * (HTTP/protobuf, the JDK's HttpClient) to one endpoint, in batches from a bounded queue, never
 * blocking the caller. A span per request: named {@code <protocol> <api>} ({@code redis GET}), kind
 * SERVER or CLIENT by the process's role, from request start to response end, with OpenTelemetry
 * semantic-convention attributes (database, HTTP or messaging by protocol; server, client and peer
 * addresses; the process). Spans have no parent: the kernel sees no trace context.
 *
 * <pre>{@code
 * try (OtlpSpans spans = OtlpSpans.start("http://collector:4318", Duration.ofSeconds(10), identity)) {
 *   spans.emit(l7.slowRequests());
 * }
 * }</pre>
 */
public final class OtlpSpans implements AutoCloseable {
  static final String SCOPE = "io.gala.agent.l7";
  static final String TRACES_PATH = "/v1/traces";

  /**
   * Spans waiting for export; beyond it the SDK drops new ones (a burst of slow periods, a dead
   * collector).
   */
  static final int QUEUE = 4096;

  static final AttributeKey<String> DB_SYSTEM = AttributeKey.stringKey("db.system");
  static final AttributeKey<String> DB_SYSTEM_NAME = AttributeKey.stringKey("db.system.name");
  static final AttributeKey<String> DB_STATEMENT = AttributeKey.stringKey("db.statement");
  static final AttributeKey<String> DB_QUERY_TEXT = AttributeKey.stringKey("db.query.text");
  static final AttributeKey<String> DB_OPERATION = AttributeKey.stringKey("db.operation.name");
  static final AttributeKey<String> HTTP_METHOD = AttributeKey.stringKey("http.request.method");
  static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
  static final AttributeKey<String> MESSAGING_SYSTEM = AttributeKey.stringKey("messaging.system");
  static final AttributeKey<String> MESSAGING_OPERATION =
      AttributeKey.stringKey("messaging.operation.name");
  static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
  static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
  static final AttributeKey<String> CLIENT_ADDRESS = AttributeKey.stringKey("client.address");
  static final AttributeKey<Long> CLIENT_PORT = AttributeKey.longKey("client.port");
  static final AttributeKey<String> PEER_ADDRESS = AttributeKey.stringKey("network.peer.address");
  static final AttributeKey<Long> PEER_PORT = AttributeKey.longKey("network.peer.port");
  static final AttributeKey<String> TRANSPORT = AttributeKey.stringKey("network.transport");
  static final AttributeKey<Long> PROCESS_PID = AttributeKey.longKey("process.pid");
  static final AttributeKey<String> PROCESS_NAME =
      AttributeKey.stringKey("process.executable.name");
  static final AttributeKey<String> L7_PROTOCOL = AttributeKey.stringKey("gala.l7.protocol");
  static final AttributeKey<String> L7_TEXT = AttributeKey.stringKey("gala.l7.text");

  private final SdkTracerProvider provider;
  private final Tracer tracer;
  private final String endpoint;
  private final AtomicLong emitted = new AtomicLong();

  private OtlpSpans(SdkTracerProvider provider, String endpoint) {
    this.provider = provider;
    this.tracer = provider.get(SCOPE);
    this.endpoint = endpoint;
  }

  /**
   * Starts an exporter to endpoint ({@code http(s)://host:port}, {@code /v1/traces} added when it
   * has no path). The resource names the agent: {@code service.name=gala-agent}, {@code host.id}
   * the machine id.
   */
  public static OtlpSpans start(String endpoint, Duration timeout, Identity identity) {
    String url = tracesUrl(endpoint);
    OtlpHttpSpanExporter exporter =
        OtlpHttpSpanExporter.builder().setEndpoint(url).setTimeout(timeout).build();
    BatchSpanProcessor batches =
        BatchSpanProcessor.builder(exporter)
            .setScheduleDelay(Duration.ofSeconds(1))
            .setMaxQueueSize(QUEUE)
            .setMaxExportBatchSize(512)
            .setExporterTimeout(timeout)
            .build();
    Resource resource =
        Resource.getDefault()
            .merge(
                Resource.create(
                    Attributes.builder()
                        .put("service.name", "gala-agent")
                        .put("host.id", identity.machineId())
                        .build()));
    SdkTracerProvider provider =
        SdkTracerProvider.builder().setResource(resource).addSpanProcessor(batches).build();
    return new OtlpSpans(provider, url);
  }

  /** The URL spans are posted to: the endpoint, with {@code /v1/traces} when it has no path. */
  static String tracesUrl(String endpoint) {
    URI uri;
    try {
      uri = URI.create(endpoint.strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "otel.endpoint "
              + endpoint
              + " is not a URL: "
              + e.getMessage()
              + "; give http(s)://host:4318 or the full traces URL",
          e);
    }
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())
        || uri.getHost() == null) {
      throw new IllegalArgumentException(
          "otel.endpoint must be an http:// or https:// URL with a host, not "
              + endpoint
              + " (OTLP/HTTP: e.g. http://127.0.0.1:4318)");
    }
    String path = uri.getRawPath();
    String s = uri.toString();
    return path == null || path.isEmpty() || path.equals("/")
        ? s.replaceAll("/$", "") + TRACES_PATH
        : s;
  }

  public String endpoint() {
    return endpoint;
  }

  /** Spans handed to the SDK so far (some may still be queued, or dropped by a full queue). */
  public long emitted() {
    return emitted.get();
  }

  /** One span per request; returns at once (the SDK's batch thread exports). */
  public void emit(List<SlowRequest> requests) {
    for (SlowRequest r : requests) {
      long endNs = TimeUnit.MILLISECONDS.toNanos(r.timestampMillis());
      Span span =
          tracer
              .spanBuilder(spanName(r))
              .setNoParent()
              .setSpanKind(kind(r))
              .setStartTimestamp(endNs - r.latencyNs(), TimeUnit.NANOSECONDS)
              .setAllAttributes(attributes(r))
              .startSpan();
      span.end(endNs, TimeUnit.NANOSECONDS);
      emitted.incrementAndGet();
    }
  }

  static String spanName(SlowRequest r) {
    return r.api() == null || r.api().isEmpty() ? r.protocol() : r.protocol() + " " + r.api();
  }

  static SpanKind kind(SlowRequest r) {
    return "client".equals(r.role()) ? SpanKind.CLIENT : SpanKind.SERVER;
  }

  /** The span's attributes, semantic conventions first, by protocol. */
  static Attributes attributes(SlowRequest r) {
    AttributesBuilder a = Attributes.builder();
    String text = SlowRequestJson.bounded(r.text(), SlowRequestJson.MAX_TEXT);
    String db = dbSystem(r.protocol());
    if (db != null) {
      a.put(DB_SYSTEM, db)
          .put(DB_SYSTEM_NAME, db)
          .put(DB_OPERATION, r.api())
          .put(DB_STATEMENT, text)
          .put(DB_QUERY_TEXT, text);
    } else if (r.protocol().equals("http")) {
      a.put(HTTP_METHOD, r.api());
      int sp = text.indexOf(' ');
      String target = sp < 0 ? text : text.substring(sp + 1);
      a.put(URL_PATH, target.substring(0, queryStart(target)));
    } else if (r.protocol().equals("kafka")) {
      a.put(MESSAGING_SYSTEM, "kafka").put(MESSAGING_OPERATION, r.api());
    }
    Endpoint server = Endpoint.parse(r.server());
    Endpoint client = Endpoint.parse(r.client());
    Endpoint peer = kind(r) == SpanKind.CLIENT ? server : client;
    a.put(SERVER_ADDRESS, server.address())
        .put(SERVER_PORT, (long) server.port())
        .put(CLIENT_ADDRESS, client.address())
        .put(CLIENT_PORT, (long) client.port())
        .put(PEER_ADDRESS, peer.address())
        .put(PEER_PORT, (long) peer.port())
        .put(TRANSPORT, "tcp")
        .put(PROCESS_PID, r.tgid())
        .put(PROCESS_NAME, r.comm())
        .put(L7_PROTOCOL, r.protocol())
        .put(L7_TEXT, text);
    return a.build();
  }

  /**
   * Where the query of a masked target starts: at the first '?' that is not a masked path segment
   * ("/users/?/orders?id=?" has its query at the second).
   */
  static int queryStart(String target) {
    for (int i = target.indexOf('?'); i >= 0; i = target.indexOf('?', i + 1)) {
      boolean maskedSegment =
          i > 0
              && target.charAt(i - 1) == '/'
              && (i + 1 == target.length()
                  || target.charAt(i + 1) == '/'
                  || target.charAt(i + 1) == '?');
      if (!maskedSegment) {
        return i;
      }
    }
    return target.length();
  }

  /** db.system for the database protocols, null for the others. */
  static String dbSystem(String protocol) {
    return switch (protocol) {
      case "redis" -> "redis";
      case "pgsql" -> "postgresql";
      case "mysql" -> "mysql";
      default -> null;
    };
  }

  /** Exports what is queued; waits up to timeout. Returns whether the export succeeded. */
  public boolean flush(Duration timeout) {
    return provider.forceFlush().join(timeout.toMillis(), TimeUnit.MILLISECONDS).isSuccess();
  }

  /** Exports what is queued (waiting up to 5 s) and stops the exporter. */
  @Override
  public void close() {
    provider.shutdown().join(5, TimeUnit.SECONDS);
  }
}
