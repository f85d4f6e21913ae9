package dev.dike.time;

import java.util.concurrent.TimeUnit;

/**
 * Runs short tasks after a delay and tells the time; the one source of time for every dike primitive.
 *
 * <p>Primitives never sleep on an asynchronous path: retry delays, batch flush timers and processing
 * timeouts are all scheduled here. Tasks run on the scheduler's own thread and must only hand work
 * off (complete a future, submit to an executor); they must never block or call user code.
 *
 * <p>Tests inject a manual implementation to control time deterministically.
 */
public interface DelayScheduler {

    /**
     * Runs {@code task} once after {@code delay}.
     *
     * @param task  a short, non-blocking task
     * @param delay the delay; zero or negative runs the task as soon as possible
     * @param unit  the unit of {@code delay}
     * @return a handle that cancels the task if it has not started yet
     */
    ScheduledTask schedule(Runnable task, long delay, TimeUnit unit);

    /**
     * Returns the current value of this scheduler's monotonic clock, in nanoseconds, with the same
     * meaning as {@link System#nanoTime()}.
     *
     * @return the current time in nanoseconds
     */
    long nanoTime();

    /**
     * Returns the process-wide scheduler backed by one daemon thread named {@code dike-timer}.
     *
     * @return the shared system scheduler
     */
    static DelayScheduler system() {
        return SystemDelayScheduler.INSTANCE;
    }

    /** A task scheduled on a {@link DelayScheduler}. */
    interface ScheduledTask {

        /**
         * Cancels the task if it has not run yet; does nothing otherwise.
         *
         * @return {@code true} if this call prevented the task from running
         */
        boolean cancel();
    }
}
