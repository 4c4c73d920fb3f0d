/**
 * A lab recording on disk: the agents' batches, the manifest the analysis may read, the ground
 * truth apart.
 */
package io.gala.lab.recording;
