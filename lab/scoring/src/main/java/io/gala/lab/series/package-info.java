/**
 * The recorded records turned into one time series per entity and metric, what the baselines read.
 */
package io.gala.lab.series;
