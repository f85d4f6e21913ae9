package dev.dike.limit;

/**
 * Receives the events of a {@link JobLimiter}, e.g. to publish metrics. Methods run on the thread
 * that observed the event (the caller's, a releasing call's, or the scheduler's for a timeout),
 * sometimes on the hot path: they must return quickly. Anything thrown here, {@code Error}s
 * included, is logged once at WARN (later ones at DEBUG) and otherwise ignored; it never affects a
 * call.
 *
 * <p>Every outcome of every acquisition is reported exactly once, {@link JobLimiter#tryAcquire()}
 * included, matching {@link JobLimiter#permittedCount()} and {@link JobLimiter#rejectedCount()}. A
 * call that gives up waiting (cancelled, completed by its caller, disposed, interrupted), or that
 * could not wait because the scheduler refused to time the wait, is neither permitted nor rejected.
 */
public interface LimitListener {

    /** A listener that does nothing. */
    LimitListener NONE = new LimitListener() {
    };

    /**
     * A call got a permit.
     *
     * @param name      the limiter's name
     * @param waitNanos how long it waited for the permit; 0 when granted at once
     */
    default void onPermitted(String name, long waitNanos) {
    }

    /**
     * A call was rejected with a {@link TooManyCallsException}.
     *
     * @param name      the limiter's name
     * @param waitNanos how long it waited before being rejected; 0 when rejected at once
     */
    default void onRejected(String name, long waitNanos) {
    }

    /**
     * The limit was changed at runtime.
     *
     * @param name     the limiter's name
     * @param oldLimit the previous limit
     * @param newLimit the new limit
     */
    default void onLimitChanged(String name, int oldLimit, int newLimit) {
    }
}
