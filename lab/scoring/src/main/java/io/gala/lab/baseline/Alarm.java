package io.gala.lab.baseline;

import java.util.List;

/**
 * What a baseline says online: at {@code atMs} something is wrong; at {@code rankedAtMs} (after
 * collecting a little more data) the root-cause ranking, most likely first.
 */
public record Alarm(long atMs, long rankedAtMs, List<Ranked> ranking) {
  public Alarm {
    ranking = List.copyOf(ranking);
  }
}
