/**
 * Apache Kafka's KRaft broker as a JVM of its own: the main class and a launcher for tests and
 * scripts.
 */
package io.gala.broker;
