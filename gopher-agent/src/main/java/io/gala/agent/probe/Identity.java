package io.gala.agent.probe;

/**
 * The node as gala-ops names it: {@code machine_id} is {@code <system-uuid>-<host-ip>}, attached
 * once to every series by the exporter and to every record by the transport, never by the probes.
 */
public record Identity(String machineId, String hostIp) {}
