package io.gala.agent.probe.l7.protocol;

/** The application protocols the l7 probe parses, with their gala-ops label values. */
public enum Protocol {
  REDIS("redis"),
  PGSQL("pgsql"),
  MYSQL("mysql"),
  HTTP("http"),
  KAFKA("kafka");

  private final String label;

  Protocol(String label) {
    this.label = label;
  }

  /** Value of the {@code protocol} key in l7 tables. */
  public String label() {
    return label;
  }

  /** The protocol with this label, or null. */
  public static Protocol ofLabel(String label) {
    for (Protocol p : values()) {
      if (p.label.equalsIgnoreCase(label.strip())) {
        return p;
      }
    }
    return null;
  }
}
