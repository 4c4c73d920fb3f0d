/**
 * A bounded in-memory window of recent samples per series, which detection and the REST API read.
 */
package io.gala.server.timeseries;
