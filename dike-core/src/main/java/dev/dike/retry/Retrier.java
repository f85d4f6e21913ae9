package dev.dike.retry;

import dev.dike.context.ContextCarrier;
import dev.dike.time.DelayScheduler;

import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;

/**
 * Calls an operation again when it fails, following a {@link RetryConfig}. Thread-safe: one instance
 * serves any number of concurrent calls, each with its own attempt count.
 *
 * <p>Rules, for every kind of operation:
 * <ul>
 *   <li>{@link RetryConfig#attempts()} counts every call, the first included; every attempt calls
 *       the operation again. A synchronous throw, or {@code null} instead of a stage, is a failed
 *       attempt.</li>
 *   <li>Exceptions are matched after unwrapping {@code CompletionException} and
 *       {@code ExecutionException}. A {@code CancellationException}, an {@code InterruptedException}
 *       and an {@link Error} are never retried; {@link RetryConfig#ignoredExceptionTypes()} win over
 *       {@link RetryConfig#exceptionTypes()}.</li>
 *   <li>The caller receives the original exception of the last attempt, never a wrapper.</li>
 *   <li>Delay before retry k is {@code min(delay * backoff^(k-1), maxDelay)}, then multiplied by
 *       {@code 1 + jitter * (2r - 1)} with {@code r} from the random source.</li>
 *   <li>Each failed attempt but the last logs one WARN line on logger {@code dev.dike.retry}:
 *       {@code Caught exception <exception>. Retrying in <seconds>s ...}, with the seconds rounded to
 *       3 significant digits and the stack trace when {@link RetryConfig#logExceptionInfo()}.</li>
 *   <li>Asynchronous calls schedule a non-zero delay on the {@link DelayScheduler}, and the next
 *       attempt then runs on the executor. With a zero delay the next attempt starts at once on the
 *       thread that completed the failed one, in a loop, so any number of attempts failing
 *       synchronously keeps the stack flat. Only {@link #call(Callable)} sleeps, on its caller's
 *       thread.</li>
 *   <li>Cancelling the future returned by {@link #executeAsync(Supplier)} (or completing it from
 *       outside, e.g. with {@code orTimeout}) stops the retries, cancels a pending delay and cancels
 *       the current attempt's future.</li>
 *   <li>A failure that carries a retry-after ({@link RetryAfter}, or what the
 *       {@link Builder#retryAfterSource} finds) makes the next delay at least that long; one longer
 *       than {@link RetryConfig#maxRetryAfter()} (or {@link RetryConfig#maxDelay()}) is not retried.
 *       Off with {@link RetryConfig#respectRetryAfter()}.</li>
 *   <li>With a {@link RetryBudget} ({@link Builder#budget}), every call counts in it and every retry
 *       must be allowed by it; a retry it refuses is not made, and the call ends at once with that
 *       attempt's original exception, as {@link RetryOutcome#BUDGET_EXHAUSTED}.</li>
 *   <li>The {@link RetryListener} hears of each retry and of each call's end, except a call the
 *       caller cancelled, and of a retry-after that stopped a call; a listener that throws is logged
 *       and ignored.</li>
 * </ul>
 * For {@code Mono} and {@code Flux} see {@link ReactorRetry}.
 */
public final class Retrier {

    private final String name;
    private final RetryConfig config;
    private final DelayScheduler scheduler;
    private final Executor executor;
    private final RetryRules rules;
    private final RetryEvents events;
    /** Shared with the other retriers of the same dependency; {@code null} for none. */
    private final RetryBudget budget;
    /** Null when none was configured: then a call captures nothing (one null check per call). */
    private final ContextCarrier contextCarrier;

    private Retrier(Builder builder) {
        this.name = builder.name;
        this.config = builder.config;
        this.scheduler = builder.scheduler;
        this.executor = builder.executor;
        this.rules = new RetryRules(builder.config, builder.random, builder.retryAfterSource);
        this.budget = builder.budget;
        this.events = new RetryEvents(builder.name, builder.config.logExceptionInfo(), builder.listener);
        this.contextCarrier = builder.contextCarrier;
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

    /** @return the retry budget this retrier spends, or {@code null} when it has none */
    public RetryBudget budget() {
        return budget;
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
        Objects.requireNonNull(operation, "operation");
        ContextCarrier carrier = contextCarrier;
        AsyncRetry<T> call = new AsyncRetry<>(this, operation, carrier == null ? null : carrier.capture());
        call.start(); // the first attempt runs on the caller's thread, like an undecorated call
        return call;
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
        Objects.requireNonNull(operation, "operation");
        ContextCarrier carrier = contextCarrier;
        if (carrier == null) {
            return callAttempts(operation);
        }
        // Every attempt runs on this thread already; the carrier still hears when the call starts and ends.
        ContextCarrier.Captured context = carrier.capture();
        T result;
        try (ContextCarrier.Scope scope = context.open()) {
            result = callAttempts(operation);
        } catch (Throwable failure) {
            context.done(failure);
            throw failure;
        }
        context.done(null);
        return result;
    }

    private <T> T callAttempts(Callable<? extends T> operation) throws Exception {
        callStarted();
        for (int attempt = 1; ; attempt++) {
            T result;
            try {
                result = operation.call();
            } catch (Throwable thrown) {
                Throwable error = RetryRules.unwrap(thrown);
                long delayNanos = nextDelayNanos(error, attempt);
                if (delayNanos < 0) {
                    reportFailure(error, attempt, delayNanos);
                    throw rethrow(error);
                }
                events.retryScheduled(attempt, error, delayNanos);
                sleepBeforeRetry(delayNanos, error);
                continue;
            }
            events.completed(attempt == 1 ? RetryOutcome.SUCCESS_WITHOUT_RETRY : RetryOutcome.SUCCESS_WITH_RETRY,
                    attempt, null);
            return result;
        }
    }

    @Override
    public String toString() {
        return "Retrier[" + name + ", " + config + "]";
    }

    private void sleepBeforeRetry(long delayNanos, Throwable lastError) throws InterruptedException {
        try {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            TimeUnit.NANOSECONDS.sleep(delayNanos);
        } catch (InterruptedException interrupted) {
            // Interruption means "stop": no further attempt, and the flag stays visible to the caller.
            Thread.currentThread().interrupt();
            InterruptedException stopped = new InterruptedException(
                    "Interrupted while waiting to retry '" + name + "'; the last attempt's exception is suppressed");
            stopped.addSuppressed(lastError);
            throw stopped;
        }
    }

    /** Throws {@code error} as it is, even a checked {@link Throwable} that is not an {@link Exception}. */
    private static Exception rethrow(Throwable error) throws Exception {
        if (error instanceof Exception) {
            throw (Exception) error;
        }
        if (error instanceof Error) {
            throw (Error) error;
        }
        throw Retrier.<RuntimeException>sneaky(error);
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> E sneaky(Throwable error) throws E {
        throw (E) error;
    }

    /** The failure of an attempt whose operation returned {@code null} instead of a {@code kind}. */
    NullPointerException nullAttempt(String kind) {
        return new NullPointerException("The operation retried by '" + name + "' returned null instead of a " + kind);
    }

    /** Returned by {@link #nextDelayNanos} when the call stops: no retry for this failure. */
    static final long STOP = -1;
    /** Returned by {@link #nextDelayNanos} when the budget refused the retry. */
    static final long BUDGET_SPENT = -2;
    /** Returned by {@link #nextDelayNanos} when the failure's retry-after is longer than this retrier waits. */
    static final long RETRY_AFTER_TOO_LONG = -3;

    /** Counts a call in the budget: its first attempt is about to be made. */
    void callStarted() {
        if (budget != null) {
            budget.recordCall();
        }
    }

    /**
     * Decides what follows failed attempt {@code failedAttempt}: the rules (exception, attempts,
     * retry-after), then the budget, which is asked only for a retry the rules allow.
     *
     * @return the delay before the next attempt in nanoseconds, or {@link #STOP},
     *         {@link #RETRY_AFTER_TOO_LONG} or {@link #BUDGET_SPENT} (all negative) when the failure goes
     *         to the caller
     */
    long nextDelayNanos(Throwable error, int failedAttempt) {
        if (!rules.mayRetry(error, failedAttempt)) {
            return STOP;
        }
        long delayNanos = rules.delayNanos(failedAttempt, error);
        if (delayNanos < 0) {
            return RETRY_AFTER_TOO_LONG; // the server asked to wait longer than we would
        }
        if (budget != null && !budget.tryRetry()) {
            return BUDGET_SPENT;
        }
        return delayNanos;
    }

    /** How a call ended that failed with {@code error} after {@code attempts}, given the last decision. */
    RetryOutcome failureOutcome(Throwable error, int attempts, long decision) {
        return decision == BUDGET_SPENT ? RetryOutcome.BUDGET_EXHAUSTED : rules.failureOutcome(error, attempts);
    }

    /**
     * Tells the listener that a call failed with {@code error} after {@code attempts}, given the last
     * decision: first that the failure's retry-after was too long, if that stopped it, then its end.
     */
    void reportFailure(Throwable error, int attempts, long decision) {
        if (decision == RETRY_AFTER_TOO_LONG) {
            events.retryAfterTooLong(attempts, error);
        }
        events.completed(failureOutcome(error, attempts, decision), attempts, error);
    }

    // Package-private collaborators of AsyncRetry and ReactorRetry.
    DelayScheduler scheduler() {
        return scheduler;
    }

    Executor executor() {
        return executor;
    }

    RetryEvents events() {
        return events;
    }

    ContextCarrier contextCarrier() {
        return contextCarrier;
    }

    /** Builds a {@link Retrier}. */
    public static final class Builder {

        private final String name;
        private RetryConfig config = RetryConfig.defaults();
        private DelayScheduler scheduler = DelayScheduler.system();
        private Executor executor = ForkJoinPool.commonPool();
        private RetryListener listener = RetryListener.NONE;
        private DoubleSupplier random = () -> java.util.concurrent.ThreadLocalRandom.current().nextDouble();
        private RetryBudget budget;
        private RetryAfter.Source retryAfterSource = RetryAfter.Source.DIKE;
        private ContextCarrier contextCarrier;

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
         * @param executor runs the attempts that follow a non-zero delay (with a zero delay the next
         *                 attempt starts on the thread that completed the failed one); default the
         *                 common fork-join pool
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

        /**
         * @param budget the retry budget to spend, shared with the retriers of the same dependency, or
         *               {@code null} (the default) for none
         * @return this builder
         */
        public Builder budget(RetryBudget budget) {
            this.budget = budget;
            return this;
        }

        /**
         * @param retryAfterSource finds the retry-after of a failure; default
         *                         {@link RetryAfter.Source#DIKE}, which reads {@link RetryAfter}
         * @return this builder
         */
        public Builder retryAfterSource(RetryAfter.Source retryAfterSource) {
            this.retryAfterSource = Objects.requireNonNull(retryAfterSource, "retryAfterSource");
            return this;
        }

        /**
         * @param contextCarrier captures the caller's context when a call starts and makes it current
         *                       wherever the call continues on another thread (attempts after a delay,
         *                       their log lines and events, the caller's completion); default none
         * @return this builder
         */
        public Builder contextCarrier(ContextCarrier contextCarrier) {
            this.contextCarrier = Objects.requireNonNull(contextCarrier, "contextCarrier");
            return this;
        }

        /** @return the retrier */
        public Retrier build() {
            return new Retrier(this);
        }
    }
}
