package dev.dike.retry;

import java.time.Duration;
import java.util.Optional;

/**
 * Implemented by an exception that carries the server's wish of when to try again (HTTP
 * {@code Retry-After}, gRPC pushback). A {@link Retrier} then waits at least that long before the
 * next attempt, and does not retry at all when it is longer than
 * {@link RetryConfig#maxRetryAfter()} (or {@link RetryConfig#maxDelay()}); unless
 * {@link RetryConfig#respectRetryAfter()} is off.
 *
 * <p>The Spring Boot starter also reads {@code Retry-After} from Spring's
 * {@code WebClientResponseException} and {@code RestClientResponseException} without this interface.
 */
public interface RetryAfter {

    /**
     * @return how long the server asked to wait before the next attempt; empty when it did not say.
     *         A negative or zero duration means "at once".
     */
    Optional<Duration> retryAfter();

    /**
     * Finds the retry-after of a failure. A {@link Retrier} asks it once per failed attempt that would
     * be retried, with the unwrapped exception.
     */
    @FunctionalInterface
    interface Source {

        /**
         * Reads {@link RetryAfter} from the failure or one of its causes (the first that says, at most
         * ten levels deep).
         */
        Source DIKE = failure -> {
            Throwable current = failure;
            for (int depth = 0; current != null && depth < 10; depth++, current = current.getCause()) {
                if (current instanceof RetryAfter) {
                    Optional<Duration> asked = ((RetryAfter) current).retryAfter();
                    if (asked.isPresent()) {
                        return asked.get();
                    }
                }
            }
            return null;
        };

        /**
         * @param failure the failure of an attempt, unwrapped
         * @return how long the server asked to wait, or {@code null} when it did not say
         */
        Duration retryAfterOf(Throwable failure);

        /**
         * @param next asked when this source finds nothing
         * @return a source that asks this one, then {@code next}
         */
        default Source orElse(Source next) {
            return failure -> {
                Duration found = retryAfterOf(failure);
                return found != null ? found : next.retryAfterOf(failure);
            };
        }
    }
}
