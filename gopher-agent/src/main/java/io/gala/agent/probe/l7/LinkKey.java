package io.gala.agent.probe.l7;

import io.gala.agent.probe.l7.protocol.Protocol;

/**
 * The key fields of {@code l7_link}, {@code l7_rpc} and {@code l7_rpc_api} (gala-gopher l7probe).
 */
record LinkKey(
    long tgid,
    String clientIp,
    String serverIp,
    int serverPort,
    String l4Role,
    String l7Role,
    Protocol protocol,
    boolean ssl) {}
