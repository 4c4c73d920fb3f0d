package io.gala.agent.event;

/** gala-ops event severities with their numbers (OpenTelemetry log severity numbers). */
public enum Severity {
  INFO(9),
  WARN(13),
  ERROR(17),
  FATAL(21);

  private final int number;

  Severity(int number) {
    this.number = number;
  }

  public int number() {
    return number;
  }
}
