/**
 * The contract between the l7 probe and its protocol parsers: captured byte streams with holes, the
 * parser driver that matches requests to responses, and the exchanges it reports.
 */
package io.gala.agent.probe.l7.protocol;
