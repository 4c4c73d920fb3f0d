/**
 * Topology over time, gala-spider's model: entities, relations, periodic snapshots, diffs and their
 * store.
 */
package io.gala.server.topology;
