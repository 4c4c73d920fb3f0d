/** Network helpers shared by the probes that see sockets (tcp, socket, l7): address text. */
package io.gala.agent.net;
