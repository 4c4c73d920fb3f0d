/** The {@code io} probe: block requests per disk and per submitting process ({@code io.bpf.c}). */
package io.gala.agent.probe.io;
