/**
 * Sub-health (abnormal) event checks of gala-gopher over the rows of each sample, thresholds from
 * probe params.
 */
package io.gala.agent.event;
