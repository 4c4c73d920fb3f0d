package io.gala.lab.baseline;

import io.gala.lab.series.EntityRef;

/** One place of a root-cause ranking: the entity, its score and the metric that gave it. */
public record Ranked(EntityRef entity, double score, String metric) {}
