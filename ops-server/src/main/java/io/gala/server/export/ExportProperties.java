package io.gala.server.export;

import io.gala.server.topology.Level;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code gala.export.*}: the topology as Prometheus series.
 *
 * @param topologyLevel which view becomes {@code gala_topology_node}/{@code gala_topology_edge}
 *     series
 * @param maxNodes at most this many nodes (and edges between them) are exported, to bound series
 *     churn
 */
@ConfigurationProperties(prefix = "gala.export", ignoreUnknownFields = false)
public record ExportProperties(
    @DefaultValue("process") Level topologyLevel, @DefaultValue("5000") int maxNodes) {}
