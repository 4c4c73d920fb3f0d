/** Kafka wire protocol parser: request headers v0-v2, responses matched by correlation id. */
package io.gala.agent.probe.l7.kafka;
