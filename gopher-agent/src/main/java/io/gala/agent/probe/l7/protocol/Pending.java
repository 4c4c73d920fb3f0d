package io.gala.agent.probe.l7.protocol;

/**
 * A request waiting for its response: its api and text, the timestamp of its first byte, and one
 * protocol-specific value ({@code tag}: Kafka api key and version, MySQL command byte, ...).
 */
public record Pending(String api, String text, long startNs, long tag) {}
