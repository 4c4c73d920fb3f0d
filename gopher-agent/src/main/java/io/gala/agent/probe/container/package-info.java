/**
 * The container probe: per-cgroup CPU use and throttling, memory, block I/O, pressure and network,
 * cgroup v1, hybrid and v2.
 */
package io.gala.agent.probe.container;
