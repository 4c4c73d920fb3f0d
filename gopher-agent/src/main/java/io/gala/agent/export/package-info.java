/** Exports samples: Prometheus text of the latest sample, with age-out of vanished entities. */
package io.gala.agent.export;
