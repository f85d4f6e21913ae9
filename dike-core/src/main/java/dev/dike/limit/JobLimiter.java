package dev.dike.limit;

import dev.dike.time.DelayScheduler;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Supplier;

/**
 * Allows at most {@link #limit()} operations in flight at once and rejects the others with
 * {@link TooManyCallsException}, at once or after waiting up to {@link #maxWait()} in FIFO order.
 * Thread-safe and lock-free on the path that finds a permit.
 *
 * <p>A permit is held until the operation's result completes, not until the operation returns, and
 * is released exactly once on every path: success, failure, synchronous throw, cancellation of the
 * returned future. It is released before the caller sees the result, so a caller that starts the
 * next call from the completion of the previous one is never rejected by itself.
 *
 * <p>For {@code Mono} and {@code Flux} see {@link ReactorLimit}.
 */
public final class JobLimiter {

    private final String name;
    private final Duration maxWait;
    private final DelayScheduler scheduler;
    private final Executor executor;
    private final LimitListener listener;
    private volatile int limit;

    private JobLimiter(Builder builder) {
        this.name = builder.name;
        this.limit = builder.limit;
        this.maxWait = builder.maxWait;
        this.scheduler = builder.scheduler;
        this.executor = builder.executor;
        this.listener = builder.listener;
    }

    /**
     * Creates a limiter that rejects at once when full.
     *
     * @param name  the name used in messages and metrics
     * @param limit the maximum number of operations in flight, at least 0
     * @return the limiter
     */
    public static JobLimiter of(String name, int limit) {
        return builder(name).limit(limit).build();
    }

    /**
     * Starts a builder.
     *
     * @param name the name used in messages and metrics
     * @return a new builder
     */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /**
     * Takes a permit if one is free at once, without waiting and regardless of {@link #maxWait()}.
     * Every {@code true} must be followed by exactly one {@link #release()}.
     *
     * @return whether a permit was taken
     */
    public boolean tryAcquire() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Gives back a permit taken by {@link #tryAcquire()}; hands it to the oldest waiter, if any. */
    public void release() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * Runs a synchronous operation under a permit; the calling thread waits up to
     * {@link #maxWait()} for one.
     *
     * @param operation the operation
     * @param <T>       the result type
     * @return the operation's result
     * @throws TooManyCallsException when no permit could be had
     * @throws Exception             whatever the operation throws
     */
    public <T> T call(Callable<? extends T> operation) throws Exception {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * Runs an asynchronous operation under a permit held until its result completes. Waiting for a
     * permit never blocks a thread.
     *
     * @param operation starts the operation; called only once a permit is held
     * @param <T>       the result type
     * @return a future completed with the operation's result or failure, or failed with
     *         {@link TooManyCallsException}; cancelling it cancels the operation's future (or the
     *         wait) and releases the permit
     */
    public <T> CompletableFuture<T> executeAsync(Supplier<? extends CompletionStage<? extends T>> operation) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * Changes the limit at runtime. Raising it admits waiting calls at once; lowering it lets the
     * operations in flight finish and admits new ones only below the new limit.
     *
     * @param newLimit the new limit, at least 0
     * @throws IllegalArgumentException if {@code newLimit} is negative
     */
    public void setLimit(int newLimit) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** @return the name used in messages and metrics */
    public String name() {
        return name;
    }

    /** @return the maximum number of operations in flight */
    public int limit() {
        return limit;
    }

    /** @return how long a call may wait for a permit; zero means reject at once */
    public Duration maxWait() {
        return maxWait;
    }

    /** @return the number of operations holding a permit now */
    public int inFlight() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** @return the number of permits free now, never negative */
    public int available() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** @return the number of calls waiting for a permit now */
    public int waiting() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** @return the number of calls that got a permit since creation */
    public long permittedCount() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** @return the number of calls rejected since creation */
    public long rejectedCount() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    @Override
    public String toString() {
        return "JobLimiter[" + name + ", limit=" + limit + ", maxWait=" + maxWait + "]";
    }

    /** Builds a {@link JobLimiter}. */
    public static final class Builder {

        private final String name;
        private int limit = -1;
        private Duration maxWait = Duration.ZERO;
        private DelayScheduler scheduler = DelayScheduler.system();
        private Executor executor = ForkJoinPool.commonPool();
        private LimitListener listener = LimitListener.NONE;

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        /**
         * @param limit the maximum number of operations in flight, at least 0; required
         * @return this builder
         */
        public Builder limit(int limit) {
            this.limit = limit;
            return this;
        }

        /**
         * @param maxWait how long a call may wait for a permit, zero or positive; default zero
         * @return this builder
         */
        public Builder maxWait(Duration maxWait) {
            this.maxWait = Objects.requireNonNull(maxWait, "maxWait");
            return this;
        }

        /**
         * @param scheduler times out waiting calls; default {@link DelayScheduler#system()}
         * @return this builder
         */
        public Builder scheduler(DelayScheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * @param executor starts operations whose permit was handed over by another call's release;
         *                 default the common fork-join pool
         * @return this builder
         */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * @param listener receives limiter events; default none
         * @return this builder
         */
        public Builder listener(LimitListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Checks every value and builds the limiter.
         *
         * @return the limiter
         * @throws IllegalArgumentException naming the invalid attribute and its value
         */
        public JobLimiter build() {
            if (limit < 0) {
                throw new IllegalArgumentException("Invalid limit '" + limit + "' for " + name + ": must be at least 0");
            }
            if (maxWait.isNegative()) {
                throw new IllegalArgumentException("Invalid maxWait '" + maxWait + "' for " + name + ": must not be negative");
            }
            return new JobLimiter(this);
        }
    }
}
