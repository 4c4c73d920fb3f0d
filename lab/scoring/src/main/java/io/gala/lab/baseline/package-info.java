/**
 * Root-cause baselines the platform's diagnosis will be measured against: random ranking, N-Sigma
 * and BARO. They see a case's series and its manifest, never the ground truth.
 */
package io.gala.lab.baseline;
