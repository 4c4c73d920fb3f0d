/** The small Netty HTTP server under the agent's exporter and probe control endpoints. */
package io.gala.agent.http;
