/**
 * The probe contract (start, sample, close), what probes are started with, and shared process
 * labels.
 */
package io.gala.agent.probe;
