package io.gala.agent.table;

/** How a metric is exported: a level, a cumulative count, or a distribution. */
public enum MetricKind {
  /** A value that goes up and down (srtt, cwnd, rss). */
  GAUGE,
  /**
   * A cumulative count since the entity appeared (bytes, drops); exported without {@code _total}.
   */
  COUNTER,
  /** A distribution in buckets; exported as {@code _bucket}, {@code _sum}, {@code _count}. */
  HISTOGRAM
}
