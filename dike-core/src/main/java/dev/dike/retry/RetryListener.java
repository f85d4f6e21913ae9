package dev.dike.retry;

import java.time.Duration;

/**
 * Receives the events of a {@link Retrier}, e.g. to publish metrics. Methods run on the thread that
 * observed the event and must return quickly without throwing; an exception they throw is logged
 * and otherwise ignored.
 */
public interface RetryListener {

    /** A listener that does nothing. */
    RetryListener NONE = new RetryListener() {
    };

    /**
     * An attempt failed with a retryable exception and another attempt is scheduled.
     *
     * @param name          the retrier's name
     * @param failedAttempt the number of the attempt that failed, starting at 1
     * @param error         the attempt's exception, unwrapped
     * @param delay         the delay before the next attempt, jitter included
     */
    default void onRetryScheduled(String name, int failedAttempt, Throwable error, Duration delay) {
    }

    /**
     * A failed attempt was not retried because its failure asked, through a retry-after
     * ({@link RetryAfter}), to wait longer than {@link RetryConfig#maxRetryAfter()}: the call ends at
     * once, and {@link #onCompleted} follows with its outcome ({@link RetryOutcome#FAILURE_WITH_RETRY}
     * or {@link RetryOutcome#FAILURE_WITHOUT_RETRY}).
     *
     * @param name          the retrier's name
     * @param failedAttempt the number of the attempt that failed, starting at 1
     * @param error         the attempt's exception, unwrapped
     */
    default void onRetryAfterTooLong(String name, int failedAttempt, Throwable error) {
    }

    /**
     * A call ended. Not called when the caller cancelled the call.
     *
     * @param name     the retrier's name
     * @param outcome  how it ended
     * @param attempts the number of attempts made
     * @param error    the final exception, or {@code null} on success
     */
    default void onCompleted(String name, RetryOutcome outcome, int attempts, Throwable error) {
    }
}
