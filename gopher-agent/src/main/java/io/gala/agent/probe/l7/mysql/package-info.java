/** MySQL and MariaDB client/server protocol parser. */
package io.gala.agent.probe.l7.mysql;
