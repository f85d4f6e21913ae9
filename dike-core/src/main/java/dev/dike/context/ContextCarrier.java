package dev.dike.context;

/**
 * Carries a caller's thread-bound context (a logging context such as SLF4J's MDC, a tracing context,
 * a security context) to the threads where a dike primitive later runs work for that caller, and
 * restores the thread's own context afterwards. Framework-free: the Spring Boot starter implements it
 * with Micrometer's context-propagation library and Micrometer Observation.
 *
 * <p>A primitive given a carrier calls {@link #capture()} on the caller's thread, at most once per
 * call, and only where the call may continue on another thread:
 * <ul>
 *   <li>a retrier when a call starts: every attempt, the log line and listener events of every retry,
 *       and the completion of the caller's future run in the captured context;</li>
 *   <li>a limiter when a call must wait for a permit, followed at once by {@link Captured#waiting()}:
 *       the operation started by another call's release and a rejection after the wait run in it (a
 *       call that gets a permit at once captures nothing);</li>
 *   <li>a cluster limiter ({@code dike-redis}) when any call starts, since its permit always arrives
 *       on another thread: the grant or rejection is delivered in it, and {@link Captured#waiting()}
 *       follows if the call has to queue;</li>
 *   <li>a batcher when a call is submitted: the caller's future is completed in it, and the captured
 *       contexts of a batch's callers are handed to its {@code BatchRunContext}.</li>
 * </ul>
 * Then it calls {@link Captured#done(Throwable)} exactly once, when the primitive's work for that
 * call ended. A primitive built without a carrier pays one null check of a final field per call and
 * allocates nothing.
 *
 * <p>Implementations must be thread-safe and must not throw; they are called on the caller's thread
 * ({@link #capture()}) and on dike's timer and executor threads (the rest).
 */
@FunctionalInterface
public interface ContextCarrier {

    /**
     * Captures the calling thread's context.
     *
     * @return the captured context; never {@code null}
     */
    Captured capture();

    /** One caller's captured context. */
    interface Captured {

        /**
         * Makes the captured context current on the calling thread until the returned scope is
         * closed, which restores the context the thread had before. Scopes nest.
         *
         * @return the scope to close, on the same thread
         */
        Scope open();

        /**
         * The call starts waiting (for a permit), on whichever thread found that it must; called at
         * most once, before {@link #done(Throwable)}. The default does nothing.
         */
        default void waiting() {
        }

        /**
         * The primitive's work for this call ended: the retried call completed, the limiter granted
         * or refused its permit (or the caller gave up), or the batch caller was completed. Called
         * once; the default does nothing.
         *
         * @param failure why it ended unsuccessfully (the last attempt's exception, a
         *                {@code TooManyCallsException}, a {@code CancellationException} when the caller
         *                gave up), or {@code null} when it succeeded (for a wait: a permit was granted)
         */
        default void done(Throwable failure) {
        }
    }

    /** The period during which a captured context is current; closing it restores the previous one. */
    @FunctionalInterface
    interface Scope extends AutoCloseable {

        /** Restores the context the thread had before the scope was opened; never throws. */
        @Override
        void close();
    }
}
