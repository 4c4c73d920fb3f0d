/**
 * The libbpf binding through JNR-FFI: objects, maps, iterators, ring buffers, kernel feature
 * checks.
 */
package io.gala.agent.bpf;
