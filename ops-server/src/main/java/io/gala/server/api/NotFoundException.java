package io.gala.server.api;

/** A well-formed request for something the server does not have: answered 404 with the message. */
final class NotFoundException extends RuntimeException {
  NotFoundException(String message) {
    super(message);
  }
}
