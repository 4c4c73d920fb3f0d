package io.gala.agent.probe.l7;

/**
 * One of the slowest requests of a period: when its response ended (epoch ms), how long it took,
 * what it was (protocol, api, text with literal values masked), and who: the process, its role,
 * both ends.
 */
public record SlowRequest(
    long timestampMillis,
    long latencyNs,
    String protocol,
    String api,
    String text,
    long tgid,
    String comm,
    String role,
    String client,
    String server) {}
