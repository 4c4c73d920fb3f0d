/**
 * The {@code socket} probe: TCP listeners and connecting processes as endpoints ({@code
 * socket.bpf.c}).
 */
package io.gala.agent.probe.socket;
