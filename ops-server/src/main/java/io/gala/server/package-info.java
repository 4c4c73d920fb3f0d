/**
 * gala's ops server: turns the agents' records into a time-series window and a topology over time.
 */
package io.gala.server;
