package io.gala.agent.probe.l7.trace;

import io.gala.agent.event.Severity;
import io.gala.agent.event.SubHealthEvent;
import io.gala.agent.probe.l7.SlowRequest;
import io.gala.transport.EntityIds;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Slow requests as gala-ops events, one per request, for the Kafka events topics: the entity is the
 * request's {@code l7_rpc_api} series (keys tgid, client_ip, server_ip, server_port, l4_role,
 * l7_role, protocol, api), the metric {@code latency} (so {@code gala_gopher_l7_api_latency}),
 * severity INFO (a trace, not a threshold crossed), the value the latency in seconds, and the event
 * time the end of the response. The description carries the masked text, cut at {@link #MAX_TEXT}
 * characters.
 */
final class SlowRequestEvents {
  static final String TABLE = "l7_rpc_api";
  static final String ENTITY = "l7_api";
  static final String METRIC = "latency";
  static final int MAX_TEXT = 256;

  private SlowRequestEvents() {}

  static List<SubHealthEvent> of(String machineId, List<SlowRequest> requests) {
    List<SubHealthEvent> out = new ArrayList<>(requests.size());
    for (SlowRequest r : requests) {
      out.add(of(machineId, r));
    }
    return out;
  }

  static SubHealthEvent of(String machineId, SlowRequest r) {
    Endpoint client = Endpoint.parse(r.client());
    Endpoint server = Endpoint.parse(r.server());
    Map<String, String> keys = new LinkedHashMap<>();
    keys.put("tgid", Long.toString(r.tgid()));
    keys.put("client_ip", client.address());
    keys.put("server_ip", server.address());
    keys.put("server_port", Integer.toString(server.port()));
    keys.put("l4_role", r.role());
    keys.put("l7_role", r.role());
    keys.put("protocol", r.protocol());
    keys.put("api", r.api());
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("PID", Long.toString(r.tgid()));
    labels.put("COMM", r.comm());
    labels.put("IP", "Client " + r.client() + ", Server " + r.server());
    labels.put("ContainerID", "");
    labels.put("POD", "");
    labels.put("Device", "");
    String description =
        String.format(
            Locale.ROOT,
            "Slow %s request %s of %s(%d) took %.3f ms (client %s, server %s): %s",
            r.protocol(),
            r.api(),
            r.comm(),
            r.tgid(),
            r.latencyNs() / 1e6,
            r.client(),
            r.server(),
            SlowRequestJson.bounded(r.text(), MAX_TEXT));
    String entityId = EntityIds.entityId(machineId, ENTITY, List.copyOf(keys.values()));
    return new SubHealthEvent(
        r.timestampMillis(),
        machineId,
        entityId,
        TABLE,
        ENTITY,
        METRIC,
        Severity.INFO,
        description,
        keys,
        labels,
        r.latencyNs() / 1e9,
        0);
  }
}
