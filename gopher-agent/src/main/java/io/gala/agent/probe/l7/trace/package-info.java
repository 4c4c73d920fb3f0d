/**
 * The l7 probe's slowest requests of each period, sent on: kept for the REST API, published as
 * events on Kafka and emitted as OpenTelemetry spans over OTLP.
 */
package io.gala.agent.probe.l7.trace;
