/**
 * Probe control REST API compatible with gala-gopher (GET/PUT /<probe>), persisted to probes.init.
 */
package io.gala.agent.control;
