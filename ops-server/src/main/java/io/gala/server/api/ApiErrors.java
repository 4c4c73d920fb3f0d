package io.gala.server.api;

import io.gala.server.api.Views.Error;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

/**
 * Turns bad parameters into {@code 400 {"status", "error", "path"}} with a message that says what
 * was wrong and what to send instead, and counts them ({@code gala_server_api_bad_requests_total});
 * unknown things become 404.
 */
@RestControllerAdvice(basePackageClasses = ApiErrors.class)
class ApiErrors {
  private final Counter badRequestCounter;
  private final Counter notFoundCounter;

  ApiErrors(MeterRegistry registry) {
    this.badRequestCounter =
        Counter.builder("gala.server.api.bad.requests")
            .description("REST requests refused with 400 (bad parameters)")
            .register(registry);
    this.notFoundCounter =
        Counter.builder("gala.server.api.not.found")
            .description("REST requests answered 404 (no such entity, time before the history)")
            .register(registry);
  }

  @ExceptionHandler(BadRequestException.class)
  ResponseEntity<Error> badRequest(BadRequestException e, HttpServletRequest req) {
    return bad(e.getMessage(), req);
  }

  @ExceptionHandler(MissingServletRequestParameterException.class)
  ResponseEntity<Error> missing(MissingServletRequestParameterException e, HttpServletRequest req) {
    return bad("parameter '" + e.getParameterName() + "' is required", req);
  }

  @ExceptionHandler(MethodArgumentTypeMismatchException.class)
  ResponseEntity<Error> mismatch(MethodArgumentTypeMismatchException e, HttpServletRequest req) {
    return bad("parameter '" + e.getName() + "' has an invalid value", req);
  }

  @ExceptionHandler(NotFoundException.class)
  ResponseEntity<Error> notFound(NotFoundException e, HttpServletRequest req) {
    notFoundCounter.increment();
    return ResponseEntity.status(HttpStatus.NOT_FOUND)
        .body(new Error(404, e.getMessage(), req.getRequestURI()));
  }

  private ResponseEntity<Error> bad(String message, HttpServletRequest req) {
    badRequestCounter.increment();
    return ResponseEntity.badRequest().body(new Error(400, message, req.getRequestURI()));
  }

  long badRequests() {
    return (long) badRequestCounter.count();
  }
}
