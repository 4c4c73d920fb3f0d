/** The proc probe: per-process CPU, memory, I/O, run-queue delay and failed syscalls. */
package io.gala.agent.probe.proc;
