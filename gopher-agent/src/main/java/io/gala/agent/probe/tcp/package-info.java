/** The {@code tcp} probe: one {@code tcp_link} series set per TCP connection, from tcp.bpf.c. */
package io.gala.agent.probe.tcp;
