/**
 * What agents and the server share about the wire: topic names, the protobuf batch codec with its
 * integrity check, gala-ops ids and JSON, and the consumer that decodes both formats and checks
 * sequences.
 */
package io.gala.transport;
