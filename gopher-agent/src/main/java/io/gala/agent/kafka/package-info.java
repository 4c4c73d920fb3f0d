/**
 * The Kafka transport of the agent: samples encoded as protobuf batches and gala-ops JSON, a
 * bounded spool in front of an idempotent producer on a sender thread of its own, and the
 * transport's counters.
 */
package io.gala.agent.kafka;
