package io.gala.agent;

import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** One-line log format on stderr (journald adds the time): level, logger, message, exception. */
final class Logging {
  private Logging() {}

  /**
   * Keeps logging alive during shutdown: JUL's own shutdown hook resets the LogManager concurrently
   * with ours, which would swallow "stopping: detaching all probes" and the probes' last words.
   * Installed through the java.util.logging.manager property before any logger exists.
   */
  public static final class AgentLogManager extends java.util.logging.LogManager {
    @Override
    public void reset() {
      // deferred to resetAtExit()
    }

    void resetAtExit() {
      super.reset();
    }
  }

  /** Must run before the first Logger is created (first statement of main). */
  static void useAgentLogManager() {
    if (System.getProperty("java.util.logging.manager") == null) {
      System.setProperty("java.util.logging.manager", AgentLogManager.class.getName());
    }
  }

  /** Flushes and closes the handlers, last thing before the JVM exits. */
  static void close() {
    if (java.util.logging.LogManager.getLogManager() instanceof AgentLogManager m) {
      m.resetAtExit();
    }
  }

  static void configure() {
    if (System.getProperty("java.util.logging.config.file") != null) {
      return;
    }
    Logger root = Logger.getLogger("");
    for (var h : root.getHandlers()) {
      root.removeHandler(h);
    }
    ConsoleHandler h = new ConsoleHandler();
    h.setFormatter(
        new Formatter() {
          @Override
          public String format(LogRecord r) {
            String name =
                r.getLoggerName() == null
                    ? ""
                    : r.getLoggerName().substring(r.getLoggerName().lastIndexOf('.') + 1);
            String base =
                String.format(
                    "%tF %<tT %s %s: %s%n", r.getMillis(), r.getLevel(), name, formatMessage(r));
            if (r.getThrown() == null) {
              return base;
            }
            var sw = new java.io.StringWriter();
            r.getThrown().printStackTrace(new java.io.PrintWriter(sw));
            return base + sw;
          }
        });
    String level = System.getenv().getOrDefault("GALA_LOG_LEVEL", "INFO");
    h.setLevel(Level.parse(level));
    root.setLevel(Level.parse(level));
    root.addHandler(h);
  }
}
