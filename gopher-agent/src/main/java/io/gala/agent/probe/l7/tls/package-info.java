/**
 * TLS for the l7 probe: uprobes on OpenSSL's libssl.so.3 that hand the plaintext to the same
 * parsers.
 */
package io.gala.agent.probe.l7.tls;
