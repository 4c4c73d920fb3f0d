/** The container probe: per-cgroup CPU throttling, memory, block I/O and pressure, cgroup v1 and v2. */
package io.gala.agent.probe.container;
