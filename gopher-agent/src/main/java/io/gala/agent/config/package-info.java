/** The agent's typed, validated configuration and node identity. */
package io.gala.agent.config;
