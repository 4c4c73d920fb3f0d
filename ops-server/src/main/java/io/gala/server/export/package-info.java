/**
 * The server's own metrics and the topology as metrics, for Prometheus and Grafana's node graph.
 */
package io.gala.server.export;
