package dev.dike.retry;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.DoubleSupplier;

/**
 * The decisions of a {@link Retrier}: which exception is retried, how many attempts are allowed and
 * how long to wait before each retry. Stateless apart from the random source, so one instance serves
 * every concurrent call.
 */
final class RetryRules {

    private static final double NANOS_PER_SECOND = 1e9;
    // Delays are computed in double nanoseconds; anything beyond this saturates instead of overflowing.
    private static final double MAX_NANOS = Long.MAX_VALUE;

    private final int attempts;
    private final double delayNanos;
    private final double backoff;
    private final double maxDelayNanos;
    private final double jitter;
    private final List<Class<? extends Throwable>> exceptionTypes;
    private final List<Class<? extends Throwable>> ignoredExceptionTypes;
    private final DoubleSupplier random;
    /** Where failures' retry-after comes from; {@code null} when pushback is not respected. */
    private final RetryAfter.Source retryAfter;
    /** The longest retry-after waited for, in nanoseconds. */
    private final double maxRetryAfterNanos;

    RetryRules(RetryConfig config, DoubleSupplier random) {
        this(config, random, RetryAfter.Source.DIKE);
    }

    RetryRules(RetryConfig config, DoubleSupplier random, RetryAfter.Source retryAfter) {
        this.attempts = config.attempts();
        this.delayNanos = nanos(config.delay());
        this.backoff = config.backoff();
        this.maxDelayNanos = config.maxDelay() == null ? MAX_NANOS : nanos(config.maxDelay());
        this.jitter = config.jitter();
        this.exceptionTypes = config.exceptionTypes();
        this.ignoredExceptionTypes = config.ignoredExceptionTypes();
        this.random = random;
        this.retryAfter = config.respectRetryAfter() ? retryAfter : null;
        this.maxRetryAfterNanos = config.maxRetryAfter() != null ? nanos(config.maxRetryAfter()) : maxDelayNanos;
    }

    /**
     * Strips every {@link CompletionException} and {@link ExecutionException} layer that carries a
     * cause, so matching and the caller both see the exception the operation actually raised.
     */
    static Throwable unwrap(Throwable error) {
        Throwable current = error;
        while ((current instanceof CompletionException || current instanceof ExecutionException)
                && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }

    /**
     * Whether {@code error} (already unwrapped) is of a kind that is retried, regardless of the
     * attempt count. Cancellation, interruption and {@link Error}s never are: retrying them would
     * override the caller's or the JVM's decision to stop.
     */
    boolean isRetryable(Throwable error) {
        if (error instanceof CancellationException || error instanceof InterruptedException
                || error instanceof Error) {
            return false;
        }
        for (Class<? extends Throwable> ignored : ignoredExceptionTypes) {
            if (ignored.isInstance(error)) {
                return false;
            }
        }
        for (Class<? extends Throwable> retried : exceptionTypes) {
            if (retried.isInstance(error)) {
                return true;
            }
        }
        return false;
    }

    /** Whether attempt number {@code failedAttempt} (from 1), which failed with {@code error}, is followed by another. */
    boolean mayRetry(Throwable error, int failedAttempt) {
        return (attempts == RetryConfig.UNLIMITED_ATTEMPTS || failedAttempt < attempts) && isRetryable(error);
    }

    /** How the call ended when it failed with {@code error} (unwrapped) after {@code attemptsMade} attempts. */
    RetryOutcome failureOutcome(Throwable error, int attemptsMade) {
        if (attemptsMade > 1) {
            return RetryOutcome.FAILURE_WITH_RETRY;
        }
        return isRetryable(error) ? RetryOutcome.FAILURE_WITHOUT_RETRY : RetryOutcome.IGNORED;
    }

    /**
     * Delay before retry {@code k} (the retry that follows failed attempt {@code k}):
     * {@code min(delay * backoff^(k-1), maxDelay)}, then scaled by {@code 1 + jitter * (2r - 1)}.
     *
     * @return the delay in nanoseconds, between 0 and {@link Long#MAX_VALUE}
     */
    long delayNanos(int retry) {
        if (delayNanos == 0) {
            return 0; // also avoids 0 * Infinity = NaN for huge retry numbers
        }
        // Math.pow may return Infinity; min() then caps it, so no intermediate value overflows.
        double capped = Math.min(Math.min(delayNanos * Math.pow(backoff, retry - 1), maxDelayNanos), MAX_NANOS);
        double jittered = jitter == 0 ? capped : capped * (1 + jitter * (2 * random.getAsDouble() - 1));
        // The cast saturates at Long.MAX_VALUE; negative values cannot occur because jitter <= 1 and r >= 0.
        return Math.max(0L, (long) jittered);
    }

    /**
     * The delay before the retry that follows failed attempt {@code retry}, which failed with
     * {@code error}: {@link #delayNanos(int)}, or the server's retry-after if that is longer.
     *
     * @return the delay in nanoseconds, or {@link #TOO_LONG} when the server asked to wait longer than
     *         the maximum retry-after: the failure is then handed to the caller at once
     */
    long delayNanos(int retry, Throwable error) {
        long delay = delayNanos(retry);
        if (retryAfter == null) {
            return delay;
        }
        Duration asked = retryAfter.retryAfterOf(error);
        if (asked == null) {
            return delay;
        }
        double askedNanos = Math.max(0, nanos(asked));
        if (askedNanos > maxRetryAfterNanos) {
            return TOO_LONG;
        }
        return Math.max(delay, (long) askedNanos);
    }

    /** Returned by {@link #delayNanos(int, Throwable)} when the server's retry-after is too long. */
    static final long TOO_LONG = -1;

    private static double nanos(Duration duration) {
        // Duration.toNanos() throws for durations beyond ~292 years; doubles simply saturate later.
        return duration.getSeconds() * NANOS_PER_SECOND + duration.getNano();
    }
}
