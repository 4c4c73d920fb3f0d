package io.gala.agent.control;

import io.gala.agent.http.HttpRequest;
import io.gala.agent.http.HttpResponse;
import io.gala.agent.probe.ProbeConfig;
import io.gala.agent.probe.ProbeManager;
import io.gala.agent.probe.ProbeSpec;
import io.gala.agent.probe.ProbeState;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * gala-gopher's probe control REST API: {@code GET /<probe>} returns the probe's config and state;
 * {@code PUT /<probe>} takes the form field {@code json=<config>} (as in {@code curl -X PUT
 * :9999/tcp -d json='{...}'}) or a plain JSON body, validates all of it, applies it, and persists
 * it to probes.init. Invalid input gets 400 naming the bad field and changes nothing.
 */
public final class ProbeControl {
  private static final Logger LOG = Logger.getLogger(ProbeControl.class.getName());

  private final ProbeManager probes;
  private final ProbesInit init;
  private final AtomicLong invalidRequests = new AtomicLong();
  private final Map<String, Supplier<String>> views = new ConcurrentHashMap<>();

  public ProbeControl(ProbeManager probes, java.nio.file.Path probesInit) {
    this.probes = probes;
    this.init = new ProbesInit(probesInit);
  }

  /**
   * Adds a read-only JSON resource beside the probes' configs, such as {@code /l7/slow_requests}:
   * GET returns what json supplies, other methods get 405.
   */
  public void addView(String path, Supplier<String> json) {
    views.put(path, json);
  }

  /** Requests refused as invalid (bad JSON, unknown field, out-of-range param, unknown probe). */
  public long invalidRequests() {
    return invalidRequests.get();
  }

  /**
   * Applies probes.init if it exists, else enables the given default probes. Returns false when the
   * file had lines that could not be applied (they are logged and skipped).
   */
  public boolean restore(Iterable<String> defaultProbes) throws IOException {
    if (!init.exists()) {
      for (String p : defaultProbes) {
        apply(p, "{\"state\": \"running\"}");
      }
      return true;
    }
    boolean clean = true;
    for (Map.Entry<String, String> e : init.read().entrySet()) {
      HttpResponse r = apply(e.getKey(), e.getValue());
      if (r.status() != 200) {
        clean = false;
        LOG.warning(
            init.file()
                + ": probe "
                + e.getKey()
                + " not applied: "
                + new String(r.body(), StandardCharsets.UTF_8).strip());
      }
    }
    return clean;
  }

  public HttpResponse handle(HttpRequest req) {
    String probe = req.path().startsWith("/") ? req.path().substring(1) : req.path();
    if (probe.isEmpty() && req.method().equals("GET")) {
      return all();
    }
    Supplier<String> view = views.get(req.path());
    if (view != null) {
      if (!req.method().equals("GET")) {
        invalidRequests.incrementAndGet();
        return HttpResponse.json(405, error(req.path() + " is read-only; use GET"));
      }
      return HttpResponse.json(200, view.get());
    }
    if (!probes.specs().containsKey(probe)) {
      invalidRequests.incrementAndGet();
      return HttpResponse.json(
          404, error("no probe " + probe + "; known: " + probes.specs().keySet()));
    }
    return switch (req.method()) {
      case "GET" -> HttpResponse.json(200, ProbeConfigJson.toJson(probes.state(probe)));
      case "PUT", "POST" -> put(probe, req);
      default -> {
        invalidRequests.incrementAndGet();
        yield HttpResponse.json(
            405, error("method " + req.method() + " not allowed; use GET or PUT"));
      }
    };
  }

  private HttpResponse all() {
    StringBuilder b = new StringBuilder("{");
    probes
        .specs()
        .keySet()
        .forEach(
            p ->
                b.append(b.length() > 1 ? "," : "")
                    .append('"')
                    .append(p)
                    .append("\":")
                    .append(ProbeConfigJson.toJson(probes.state(p))));
    return HttpResponse.json(200, b.append('}').toString());
  }

  private HttpResponse put(String probe, HttpRequest req) {
    String body = req.bodyText();
    String json = body.strip();
    // curl -d sends a form content type even for a plain JSON body: a body that starts with '{' is
    // JSON.
    if (!json.startsWith("{")
        && (req.contentType().startsWith("application/x-www-form-urlencoded")
            || json.startsWith("json="))) {
      json = formField(body, "json");
      if (json == null) {
        invalidRequests.incrementAndGet();
        return HttpResponse.json(400, error("form body needs the field json=<config>"));
      }
    }
    return apply(probe, json);
  }

  private synchronized HttpResponse apply(String probe, String json) {
    ProbeSpec spec = probes.specs().get(probe);
    if (spec == null) {
      invalidRequests.incrementAndGet();
      return HttpResponse.json(
          404, error("no probe " + probe + "; known: " + probes.specs().keySet()));
    }
    ProbeConfig next;
    try {
      next = ProbeConfigJson.merge(spec, probes.state(probe).config(), json);
    } catch (ProbeConfigJson.InvalidConfig e) {
      invalidRequests.incrementAndGet();
      return HttpResponse.json(400, error(e.getMessage()));
    }
    ProbeState after = probes.apply(probe, next);
    persist();
    return HttpResponse.json(200, ProbeConfigJson.toJson(after));
  }

  private void persist() {
    Map<String, String> lines = new LinkedHashMap<>();
    for (String p : probes.specs().keySet()) {
      ProbeConfig c = probes.state(p).config();
      if (!c.equals(ProbeConfig.stopped())) {
        lines.put(p, ProbeConfigJson.configJson(c));
      }
    }
    try {
      init.write(lines);
    } catch (IOException e) {
      LOG.log(
          Level.WARNING,
          "could not persist probe configuration to "
              + init.file()
              + "; it applies now but not after a restart",
          e);
    }
  }

  static String formField(String body, String name) {
    String stripped = body.strip();
    if (stripped.startsWith(name + "={")) {
      // curl -d json='{...}' sends the JSON unencoded, '&' and all: take everything after the '='.
      return stripped.substring(name.length() + 1);
    }
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0
          && URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8)
              .strip()
              .equals(name)) {
        return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  private static String error(String message) {
    return "{\"error\":" + com.fasterxml.jackson.databind.node.TextNode.valueOf(message) + "}";
  }
}
