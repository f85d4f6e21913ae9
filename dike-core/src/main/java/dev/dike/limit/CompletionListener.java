package dev.dike.limit;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * Hears when a call that held a permit of a {@link JobLimiter} ends, with how long it held it and how
 * it ended: what an adaptive limit learns from (see {@code dev.dike.limit.adaptive.AdaptiveLimit}).
 * Set with {@link JobLimiter.Builder#completionListener}; a limiter without one reads no clock for it.
 *
 * <p>Reported for {@link JobLimiter#call}, {@link JobLimiter#executeAsync} and {@link ReactorLimit}:
 * once per call that got a permit, when its permit is released, on the thread that releases it (the
 * caller's, or the one completing the operation's future or publisher). The duration runs from the
 * grant of the permit, on the limiter's {@code DelayScheduler} clock, to the completion of the result:
 * a future's completion, a publisher's last signal or cancellation, a synchronous operation's return.
 * A permit taken with {@link JobLimiter#tryAcquire()} is not reported: the limiter cannot tell how
 * its call ended. Methods run on the hot path and must return quickly; an exception thrown here is
 * logged (once at WARN, later at DEBUG) and otherwise ignored.
 *
 * <p>A listener may time only some calls, to spare the hot path the clock reads (about 25 ns each on
 * a virtual machine): at each grant the limiter asks {@link #timeCall()}; a call it declines is
 * reported only if it did not succeed, with {@link #UNTIMED} for its grant time. By default every
 * call is timed.
 */
@FunctionalInterface
public interface CompletionListener {

    /**
     * The grant time reported for a call that {@link #timeCall()} declined to time. Never the grant
     * time of a timed call: a clock that reads exactly this value at a grant is taken 1 ns later.
     */
    long UNTIMED = Long.MIN_VALUE;

    /**
     * A call that held a permit ended.
     *
     * @param grantedNanos   when it got the permit, on the limiter's clock; {@link #UNTIMED} if this
     *                       listener declined to time the call (then only a failure, timeout or
     *                       cancellation is reported, never a success)
     * @param completedNanos when its result completed, on the same clock
     * @param outcome        how it ended
     */
    void onCompleted(long grantedNanos, long completedNanos, Outcome outcome);

    /**
     * Asked once per call, as the limiter grants it a permit (on the granting thread, before the call
     * starts): whether to read the clock for it. A call declined here is reported to
     * {@link #onCompleted} only if it did not succeed, with {@link #UNTIMED} for its grant time; a
     * declined call that succeeds costs the limiter no clock read and no report at all. Must be cheap
     * and thread-safe; if it throws, the call is timed.
     *
     * @return whether to time the call being granted; the default, {@code true}, times every call
     */
    default boolean timeCall() {
        return true;
    }

    /** How a call that held a permit ended. */
    enum Outcome {

        /** The result completed normally. */
        SUCCESS,

        /** The result failed with a {@link TimeoutException} (also as the cause of a wrapper). */
        TIMEOUT,

        /** The result failed otherwise. */
        FAILURE,

        /** The caller cancelled the call (its future or subscription) before the result completed. */
        CANCELLED;

        /**
         * @param failure what the result failed with, or {@code null} if it succeeded
         * @return the outcome of a result that ended so
         */
        public static Outcome of(Throwable failure) {
            if (failure == null) {
                return SUCCESS;
            }
            Throwable cause = failure;
            if ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (cause instanceof TimeoutException) {
                return TIMEOUT;
            }
            return cause instanceof CancellationException ? CANCELLED : FAILURE;
        }
    }
}
