/** Metric tables as data: table definitions, rows of one sample, histograms and their buckets. */
package io.gala.agent.table;
