package io.gala.agent.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The agent's configuration file ({@code /etc/gala/agent.json}), every key documented in
 * docs/configuration.md. Defaults live here; unknown keys are an error naming the key, so that a
 * typo never silently falls back to a default.
 */
public final class AgentConfig {
  /**
   * Overrides the {@code <system-uuid>-<host-ip>} machine id (e.g. for several agents on one
   * machine).
   */
  @JsonProperty("machine_id")
  public String machineId = "";

  /** Overrides the host IP part of the machine id. */
  @JsonProperty("host_ip")
  public String hostIp = "";

  /** Scope: a network namespace name (/run/netns/NAME) or path; empty = the whole host. */
  @JsonProperty("netns")
  public String netns = "";

  /** How often the probes are read, in milliseconds (1000-60000). */
  @JsonProperty("sample_period_ms")
  public long samplePeriodMs = 5000;

  /** Entities not refreshed for this long disappear from the exporter, in seconds. */
  @JsonProperty("age_out_s")
  public long ageOutSeconds = 60;

  /** Probes enabled at the first start, when probes.init does not exist yet. */
  @JsonProperty("default_probes")
  public List<String> defaultProbes =
      new ArrayList<>(List.of("baseinfo", "tcp", "socket", "io", "proc", "container"));

  @JsonProperty("export")
  public Endpoint export = new Endpoint("127.0.0.1", 8888);

  @JsonProperty("control")
  public Control control = new Control();

  /** Kafka transport settings; see docs/transport.md. Empty = Kafka off. */
  @JsonProperty("kafka")
  public Map<String, Object> kafka = Map.of();

  /**
   * OpenTelemetry export of l7 slow-request traces; see docs/configuration.md. Empty endpoint =
   * off.
   */
  @JsonProperty("otel")
  public Otel otel = new Otel();

  /** Where slow-request spans go: an OTLP/HTTP (protobuf) collector. */
  public static class Otel {
    /**
     * {@code http(s)://host:port} (then {@code /v1/traces} is added) or the full traces URL; empty
     * = off.
     */
    @JsonProperty("endpoint")
    public String endpoint = "";

    /** How long one export may take, in milliseconds (1000-60000). */
    @JsonProperty("timeout_ms")
    public long timeoutMs = 10_000;

    public boolean enabled() {
      return !endpoint.isBlank();
    }
  }

  /** An HTTP endpoint of the agent. */
  public static class Endpoint {
    @JsonProperty("address")
    public String address;

    @JsonProperty("port")
    public int port;

    /** When set, requests need {@code Authorization: Bearer <token>}. */
    @JsonProperty("token")
    public String token = "";

    /** Explicit sample timestamps on exported series (exporter only). */
    @JsonProperty("timestamps")
    public boolean timestamps = true;

    public Endpoint() {}

    Endpoint(String address, int port) {
      this.address = address;
      this.port = port;
    }
  }

  /** The probe control endpoint and where its state persists. */
  public static class Control extends Endpoint {
    @JsonProperty("probes_init")
    public String probesInit = "/etc/gala-gopher/probes.init";

    public Control() {
      super("127.0.0.1", 9999);
    }
  }

  /** Reads and validates a config file; a missing file means all defaults. */
  public static AgentConfig load(Path file) throws IOException {
    AgentConfig c = new AgentConfig();
    if (file != null && Files.exists(file)) {
      ObjectMapper mapper =
          new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
      try {
        c = mapper.readValue(file.toFile(), AgentConfig.class);
      } catch (UnrecognizedPropertyException e) {
        throw new IllegalArgumentException(
            file
                + ": unknown key \""
                + e.getPropertyName()
                + "\" at "
                + e.getPathReference()
                + "; known keys: "
                + e.getKnownPropertyIds(),
            e);
      }
    }
    c.validate();
    return c;
  }

  /** Throws naming the first invalid setting. */
  public void validate() {
    if (samplePeriodMs < 1000 || samplePeriodMs > 60_000) {
      throw new IllegalArgumentException(
          "sample_period_ms must be in [1000, 60000], not " + samplePeriodMs);
    }
    if (ageOutSeconds < 1) {
      throw new IllegalArgumentException("age_out_s must be at least 1, not " + ageOutSeconds);
    }
    if (otel.enabled() && !otel.endpoint.strip().matches("https?://[^/\\s]+(/\\S*)?")) {
      throw new IllegalArgumentException(
          "otel.endpoint must be an http:// or https:// URL such as "
              + "http://127.0.0.1:4318, not "
              + otel.endpoint);
    }
    if (otel.timeoutMs < 1000 || otel.timeoutMs > 60_000) {
      throw new IllegalArgumentException(
          "otel.timeout_ms must be in [1000, 60000], not " + otel.timeoutMs);
    }
    for (Endpoint e : List.of(export, control)) {
      if (e.port < 0 || e.port > 65535) {
        throw new IllegalArgumentException("port must be in [0, 65535], not " + e.port);
      }
    }
  }
}
