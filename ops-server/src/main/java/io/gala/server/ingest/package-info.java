/**
 * The ingest boundary: agent records in a wire-independent model, validated, counted and
 * dispatched.
 */
package io.gala.server.ingest;
