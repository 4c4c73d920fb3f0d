package io.gala.server.api;

/**
 * A request parameter that is missing, malformed or out of range: answered 400 with the message.
 */
final class BadRequestException extends RuntimeException {
  BadRequestException(String message) {
    super(message);
  }
}
