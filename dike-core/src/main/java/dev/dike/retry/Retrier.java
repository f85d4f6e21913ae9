package dev.dike.retry;

import dev.dike.time.DelayScheduler;

import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;

/**
 * Calls an operation again when it fails, following a {@link RetryConfig}. Thread-safe: one instance
 * serves any number of concurrent calls, each with its own attempt count.
 *
 * <p>Rules, for every kind of operation:
 * <ul>
 *   <li>Exceptions are matched after unwrapping {@code CompletionException} and
 *       {@code ExecutionException}. A {@code CancellationException} and an {@link Error} are never
 *       retried; {@link RetryConfig#ignoredExceptionTypes()} win over
 *       {@link RetryConfig#exceptionTypes()}.</li>
 *   <li>The caller receives the original exception of the last attempt, never a wrapper.</li>
 *   <li>Each failed attempt but the last logs one WARN line on logger {@code dev.dike.retry}:
 *       {@code Caught exception <exception>. Retrying in <seconds>s ...}.</li>
 *   <li>Asynchronous delays are scheduled on the {@link DelayScheduler}, and the next attempt runs
 *       on the executor; only {@link #call(Callable)} sleeps, on its caller's thread.</li>
 *   <li>Cancelling the future returned by {@link #executeAsync(Supplier)} stops the retries, cancels
 *       a pending delay and cancels the current attempt's future.</li>
 * </ul>
 * For {@code Mono} and {@code Flux} see {@link ReactorRetry}.
 */
public final class Retrier {

    private final String name;
    private final RetryConfig config;
    private final DelayScheduler scheduler;
    private final Executor executor;
    private final RetryListener listener;
    private final DoubleSupplier random;

    private Retrier(Builder builder) {
        this.name = builder.name;
        this.config = builder.config;
        this.scheduler = builder.scheduler;
        this.executor = builder.executor;
        this.listener = builder.listener;
        this.random = builder.random;
    }

    /**
     * Creates a retrier with the system scheduler and no listener.
     *
     * @param name   the name used in logs and metrics
     * @param config the settings
     * @return the retrier
     */
    public static Retrier of(String name, RetryConfig config) {
        return builder(name).config(config).build();
    }

    /**
     * Starts a builder.
     *
     * @param name the name used in logs and metrics
     * @return a new builder
     */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** @return the name used in logs and metrics */
    public String name() {
        return name;
    }

    /** @return the settings */
    public RetryConfig config() {
        return config;
    }

    /**
     * Runs an asynchronous operation, calling the supplier again for every attempt.
     *
     * @param operation supplies one attempt; a synchronous throw counts as a failed attempt
     * @param <T>       the result type
     * @return a future completed once, with the first successful result or the last attempt's
     *         original exception; cancelling it stops the retries
     */
    public <T> CompletableFuture<T> executeAsync(Supplier<? extends CompletionStage<? extends T>> operation) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * Runs a synchronous operation on the caller's thread, sleeping between attempts.
     *
     * @param operation one attempt
     * @param <T>       the result type
     * @return the first successful result
     * @throws Exception the last attempt's original exception; {@link InterruptedException} if the
     *                   thread is interrupted while sleeping (the interrupt flag is then set again)
     */
    public <T> T call(Callable<? extends T> operation) throws Exception {
        throw new UnsupportedOperationException("not implemented yet");
    }

    // Package-private accessors for ReactorRetry.
    DelayScheduler scheduler() {
        return scheduler;
    }

    RetryListener listener() {
        return listener;
    }

    /** Builds a {@link Retrier}. */
    public static final class Builder {

        private final String name;
        private RetryConfig config = RetryConfig.defaults();
        private DelayScheduler scheduler = DelayScheduler.system();
        private Executor executor = ForkJoinPool.commonPool();
        private RetryListener listener = RetryListener.NONE;
        private DoubleSupplier random = () -> java.util.concurrent.ThreadLocalRandom.current().nextDouble();

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        /**
         * @param config the settings; default {@link RetryConfig#defaults()}
         * @return this builder
         */
        public Builder config(RetryConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /**
         * @param scheduler schedules delays; default {@link DelayScheduler#system()}
         * @return this builder
         */
        public Builder scheduler(DelayScheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * @param executor runs the attempts that follow a delay; default the common fork-join pool
         * @return this builder
         */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * @param listener receives retry events; default none
         * @return this builder
         */
        public Builder listener(RetryListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * @param random source of uniformly distributed numbers in [0, 1) for jitter
         * @return this builder
         */
        public Builder random(DoubleSupplier random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /** @return the retrier */
        public Retrier build() {
            return new Retrier(this);
        }
    }
}
