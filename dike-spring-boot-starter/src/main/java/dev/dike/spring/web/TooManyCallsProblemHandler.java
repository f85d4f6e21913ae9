package dev.dike.spring.web;

import dev.dike.limit.TooManyCallsException;

import java.net.URI;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Answers a {@link TooManyCallsException} that escapes a controller, in Spring MVC and in WebFlux,
 * with HTTP 503 and an RFC 9457 problem detail:
 * <pre>{@code
 * {"type": "about:blank", "title": "Service Unavailable", "status": 503,
 *  "detail": "Too many calls to orders! limit=20 exceeded", "instance": "/orders", "limiter": "orders"}
 * }</pre>
 * The type is set explicitly so that the body is the same on Spring Framework 6.2 (Spring Boot 3.5),
 * whose {@link ProblemDetail} defaults it to {@code about:blank} and writes it, and on 7.0 (Spring
 * Boot 4), whose default is unset and left out. {@code about:blank} means, as RFC 9457 defines it,
 * that the problem is just the HTTP status.
 *
 * <p>It has the lowest precedence, so any advice of the application that handles the exception (or one
 * of its super types) wins. No {@code Retry-After} header is sent: a limiter cannot know when a
 * permit will free up.
 */
@RestControllerAdvice
@Order(Ordered.LOWEST_PRECEDENCE)
public class TooManyCallsProblemHandler {

    /** The problem detail property holding the name of the limiter that rejected the call. */
    public static final String LIMITER_PROPERTY = "limiter";

    private static final URI BLANK_TYPE = URI.create("about:blank");

    /** Creates the handler; the auto-configuration registers it as a bean. */
    public TooManyCallsProblemHandler() {
    }

    /**
     * @param exception the rejection
     * @return a 503 response whose body is the problem detail
     */
    @ExceptionHandler(TooManyCallsException.class)
    public ResponseEntity<ProblemDetail> handle(TooManyCallsException exception) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE, exception.getMessage());
        problem.setType(BLANK_TYPE);
        problem.setTitle(HttpStatus.SERVICE_UNAVAILABLE.getReasonPhrase());
        problem.setProperty(LIMITER_PROPERTY, exception.limiterName());
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).body(problem);
    }
}
