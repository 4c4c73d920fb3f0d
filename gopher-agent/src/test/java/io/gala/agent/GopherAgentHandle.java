package io.gala.agent;

import io.gala.agent.config.AgentConfig;
import io.gala.agent.probe.ProbeSpec;
import java.util.List;

/** Test access to a running agent: start with a catalog, take a sample now, read the exporter. */
public final class GopherAgentHandle implements AutoCloseable {
  private final GopherAgent agent;

  private GopherAgentHandle(GopherAgent agent) {
    this.agent = agent;
  }

  public static GopherAgentHandle start(AgentConfig config, List<ProbeSpec> catalog)
      throws Exception {
    return new GopherAgentHandle(new GopherAgent(config, catalog).start());
  }

  /** The real catalog of probes. */
  public static List<ProbeSpec> catalog() {
    return ProbeCatalog.all();
  }

  public GopherAgent agent() {
    return agent;
  }

  public int controlPort() {
    return agent.controlPort();
  }

  public int exportPort() {
    return agent.exportPort();
  }

  /** Samples on the caller's thread and returns the exposition text served afterwards. */
  public String sampleAndScrape() {
    agent.sampler().sampleNow();
    return agent.exporter().text();
  }

  @Override
  public void close() {
    agent.close();
  }
}
