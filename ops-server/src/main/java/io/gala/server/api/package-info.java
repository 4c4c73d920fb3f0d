/**
 * The REST API under /api/v1: topology at a time and level, entities, their metrics, diffs and
 * health.
 */
package io.gala.server.api;
