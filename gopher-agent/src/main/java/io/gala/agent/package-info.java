/** The gala per-node agent: wiring of probes, sampler, exporter and probe control. */
package io.gala.agent;
