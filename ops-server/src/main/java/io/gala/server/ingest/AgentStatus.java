package io.gala.server.ingest;

/** One agent as ingest saw it: for the health endpoint and per-agent metrics. */
public record AgentStatus(
    String machineId,
    long agentStartMillis,
    long lastReceivedMillis,
    long lastRecordMillis,
    long batches,
    long records) {}
