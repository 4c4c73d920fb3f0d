/**
 * Scores baselines' alarms and rankings against a case's ground truth and summarises them as
 * tables.
 */
package io.gala.lab.scoring;
