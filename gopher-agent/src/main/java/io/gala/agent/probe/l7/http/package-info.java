/** HTTP/1.x parser: keep-alive, pipelining, Content-Length and chunked bodies. */
package io.gala.agent.probe.l7.http;
