/** Redis RESP2/RESP3 parser. */
package io.gala.agent.probe.l7.redis;
