/** PostgreSQL frontend/backend protocol v3 parser, with transaction (commit) counting. */
package io.gala.agent.probe.l7.pgsql;
