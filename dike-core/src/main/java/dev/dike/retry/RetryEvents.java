package dev.dike.retry;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports what a {@link Retrier} does: the WARN line per retry and the {@link RetryListener} calls.
 * A listener that throws is logged and ignored, so it can never break or hang a call.
 */
final class RetryEvents {

    /** The logger named in the documented contract; shared by every retrier. */
    static final Logger LOG = LoggerFactory.getLogger("dev.dike.retry");

    private static final MathContext THREE_SIGNIFICANT_DIGITS = new MathContext(3);

    private final String name;
    private final boolean logExceptionInfo;
    private final RetryListener listener;

    RetryEvents(String name, boolean logExceptionInfo, RetryListener listener) {
        this.name = name;
        this.logExceptionInfo = logExceptionInfo;
        this.listener = listener;
    }

    /** Logs the WARN line for a failed attempt that is followed by another, then tells the listener. */
    void retryScheduled(int failedAttempt, Throwable error, long delayNanos) {
        if (LOG.isWarnEnabled()) {
            String message = "Caught exception " + error + ". Retrying in " + seconds(delayNanos) + "s ...";
            if (logExceptionInfo) {
                LOG.warn(message, error);
            } else {
                LOG.warn(message);
            }
        }
        if (listener != RetryListener.NONE) {
            try {
                listener.onRetryScheduled(name, failedAttempt, error, Duration.ofNanos(delayNanos));
            } catch (Throwable listenerFailure) {
                listenerFailed("onRetryScheduled", listenerFailure);
            }
        }
    }

    /** Tells the listener that the retry-after of failed attempt {@code failedAttempt} stopped the call. */
    void retryAfterTooLong(int failedAttempt, Throwable error) {
        if (listener == RetryListener.NONE) {
            return;
        }
        try {
            listener.onRetryAfterTooLong(name, failedAttempt, error);
        } catch (Throwable listenerFailure) {
            listenerFailed("onRetryAfterTooLong", listenerFailure);
        }
    }

    /** Tells the listener that a call ended; {@code error} is {@code null} on success. */
    void completed(RetryOutcome outcome, int attempts, Throwable error) {
        if (listener == RetryListener.NONE) {
            return;
        }
        try {
            listener.onCompleted(name, outcome, attempts, error);
        } catch (Throwable listenerFailure) {
            listenerFailed("onCompleted", listenerFailure);
        }
    }

    /** Formats nanoseconds as seconds with 3 significant digits and no trailing zeros: 0, 0.01, 2.5, 0.123. */
    static String seconds(long nanos) {
        return BigDecimal.valueOf(nanos, 9).round(THREE_SIGNIFICANT_DIGITS).stripTrailingZeros().toPlainString();
    }

    private void listenerFailed(String method, Throwable failure) {
        LOG.warn("RetryListener " + listener.getClass().getName() + "." + method + " failed for retrier '" + name
                + "'; ignored", failure);
    }
}
