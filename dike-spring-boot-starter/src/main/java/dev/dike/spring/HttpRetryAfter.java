package dev.dike.spring;

import dev.dike.retry.RetryAfter;

import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

import org.springframework.util.ClassUtils;
import org.springframework.web.client.RestClientResponseException;
import org.springframework.web.reactive.function.client.WebClientResponseException;

/**
 * Reads the HTTP {@code Retry-After} header (delta-seconds or HTTP-date) of Spring's
 * {@code WebClientResponseException} (WebClient) and {@code RestClientResponseException} (RestClient,
 * RestTemplate), and of their causes; then {@link RetryAfter} (dike's own interface). Each Spring type is
 * touched only in a nested class, behind a class-presence check, so this works without spring-web or
 * spring-webflux on the class path. Stateless and thread-safe; an unreadable header is ignored.
 */
public final class HttpRetryAfter implements RetryAfter.Source {

    private static final int MAX_DEPTH = 10;
    private static final boolean REST_CLIENT = ClassUtils.isPresent(
            "org.springframework.web.client.RestClientResponseException", HttpRetryAfter.class.getClassLoader());
    private static final boolean WEB_CLIENT = ClassUtils.isPresent(
            "org.springframework.web.reactive.function.client.WebClientResponseException",
            HttpRetryAfter.class.getClassLoader());

    private final Clock clock;

    /**
     * @param clock the wall clock an HTTP-date is compared with
     */
    public HttpRetryAfter(Clock clock) {
        this.clock = clock;
    }

    /** @return a source that reads HTTP responses' headers, then dike's interface, on the system clock */
    public static RetryAfter.Source withSystemClock() {
        return new HttpRetryAfter(Clock.systemUTC()).orElse(RetryAfter.Source.DIKE);
    }

    @Override
    public Duration retryAfterOf(Throwable failure) {
        Throwable current = failure;
        for (int depth = 0; current != null && depth < MAX_DEPTH; depth++, current = current.getCause()) {
            String header = REST_CLIENT ? RestClientHeader.of(current) : null;
            if (header == null && WEB_CLIENT) {
                header = WebClientHeader.of(current);
            }
            if (header != null) {
                return parse(header.trim());
            }
        }
        return null;
    }

    /**
     * @param header a {@code Retry-After} value
     * @return the wait it asks for (zero for a date in the past), or {@code null} if unreadable
     */
    Duration parse(String header) {
        if (!header.isEmpty() && header.chars().allMatch(Character::isDigit)) {
            try {
                return Duration.ofSeconds(Long.parseLong(header));
            } catch (NumberFormatException tooLong) {
                return Duration.ofSeconds(Long.MAX_VALUE);
            }
        }
        try {
            ZonedDateTime date = ZonedDateTime.parse(header, DateTimeFormatter.RFC_1123_DATE_TIME);
            Duration wait = Duration.between(clock.instant(), date.toInstant());
            return wait.isNegative() ? Duration.ZERO : wait;
        } catch (DateTimeParseException unreadable) {
            return null;
        }
    }

    /** Touches RestClientResponseException: loaded only when it is on the class path. */
    private static final class RestClientHeader {
        static String of(Throwable failure) {
            if (failure instanceof RestClientResponseException response && response.getResponseHeaders() != null) {
                return response.getResponseHeaders().getFirst("Retry-After");
            }
            return null;
        }
    }

    /** Touches WebClientResponseException: loaded only when it is on the class path. */
    private static final class WebClientHeader {
        static String of(Throwable failure) {
            if (failure instanceof WebClientResponseException response) {
                return response.getHeaders().getFirst("Retry-After");
            }
            return null;
        }
    }
}
