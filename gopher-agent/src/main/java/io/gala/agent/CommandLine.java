package io.gala.agent;

import io.gala.agent.config.AgentConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/** The agent's command line: a config file plus overrides of its most used keys. */
final class CommandLine {
  static final String USAGE =
      """
      usage: gopher-agent [--config FILE] [--netns NAME|PATH] [--machine-id ID] [--host-ip IP]
                          [--export ADDR:PORT] [--control ADDR:PORT] [--probes-init FILE]
                          [--sample-period-ms N] [--probes p1,p2,...] [--token TOKEN]
        --config         agent.json (default /etc/gala/agent.json if present); see docs/configuration.md
        --probes         probes enabled at first start when probes.init does not exist yet
        --token          bearer token for both endpoints""";

  private CommandLine() {}

  static AgentConfig parse(String[] args) {
    Path configFile = Path.of("/etc/gala/agent.json");
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--config")) {
        configFile = Path.of(value(args, i));
      }
    }
    AgentConfig c;
    try {
      c = AgentConfig.load(configFile);
    } catch (IOException e) {
      throw new UncheckedIOException("read " + configFile, e);
    }
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--config" -> i++;
        case "--netns" -> c.netns = value(args, i++);
        case "--machine-id" -> c.machineId = value(args, i++);
        case "--host-ip" -> c.hostIp = value(args, i++);
        case "--export" -> setEndpoint(c.export, value(args, i++));
        case "--control" -> setEndpoint(c.control, value(args, i++));
        case "--probes-init" -> c.control.probesInit = value(args, i++);
        case "--sample-period-ms" -> c.samplePeriodMs = number(a, value(args, i++));
        case "--probes" -> c.defaultProbes = List.of(value(args, i++).split(","));
        case "--token" -> {
          c.export.token = value(args, i);
          c.control.token = value(args, i++);
        }
        case "-h", "--help" -> throw new IllegalArgumentException("help");
        default -> throw new IllegalArgumentException("unknown option " + a);
      }
    }
    c.validate();
    return c;
  }

  private static String value(String[] args, int i) {
    if (i + 1 >= args.length) {
      throw new IllegalArgumentException(args[i] + " needs a value");
    }
    return args[i + 1];
  }

  private static long number(String option, String v) {
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " needs a number, not " + v);
    }
  }

  private static void setEndpoint(AgentConfig.Endpoint e, String v) {
    int colon = v.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("expected ADDR:PORT, not " + v);
    }
    e.address = v.substring(0, colon);
    e.port = (int) number("port", v.substring(colon + 1));
  }
}
