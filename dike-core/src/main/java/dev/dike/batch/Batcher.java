package dev.dike.batch;

import dev.dike.time.DelayScheduler;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Merges concurrent calls into batches: each call brings one or more equally long lists (its
 * "rows"), the operation runs once per batch with every column concatenated in arrival order, and
 * each caller receives its own slice of the result as a new list.
 *
 * <p>Rules:
 * <ul>
 *   <li>Only calls with equal keys share a batch.</li>
 *   <li>A batch is flushed when its rows reach {@link BatchConfig#targetBatchSize()} (the call that
 *       reaches it flushes at once; callers are never split, so a batch may exceed the target) or
 *       {@link BatchConfig#maxWaitingTime()} after its first call arrived, whichever comes first;
 *       exactly once.</li>
 *   <li>When {@link BatchConfig#maxConcurrentBatches()} batches run, the next batch keeps filling
 *       and is formed and started when a slot frees.</li>
 *   <li>A batch still running after {@link BatchConfig#maxProcessingTime()} fails every caller of it
 *       with a {@link java.util.concurrent.TimeoutException}.</li>
 *   <li>A thrown or failed operation fails every caller of the batch with the original exception; a
 *       null result or one whose size differs from the rows sent fails them with an
 *       {@link IllegalStateException} giving both numbers.</li>
 *   <li>A call whose lists differ in length or contain a null list fails alone with
 *       {@link IllegalArgumentException}; a call with empty lists gets an empty list at once.</li>
 *   <li>A caller that cancels before its batch starts is removed from it; a batch left empty is not
 *       run. Cancelling one caller never cancels the batch for the others.</li>
 *   <li>Callers' futures are completed off the timer thread. Every caller completes exactly once on
 *       every path, and no failure leaves state behind.</li>
 * </ul>
 *
 * @param <T> the element type of the batched columns
 * @param <R> the element type of the result
 */
public final class Batcher<T, R> implements AutoCloseable {

    private final String name;
    private final BatchOperation<T, R> operation;
    private final DelayScheduler scheduler;
    private final Executor executor;
    private final BatchListener listener;
    private volatile BatchConfig config;

    private Batcher(Builder<T, R> builder) {
        this.name = builder.name;
        this.operation = builder.operation;
        this.config = builder.config;
        this.scheduler = builder.scheduler;
        this.executor = builder.executor;
        this.listener = builder.listener;
    }

    /**
     * Starts a builder.
     *
     * @param name      the name used in messages and metrics
     * @param operation the operation called once per batch
     * @param <T>       the element type of the batched columns
     * @param <R>       the element type of the result
     * @return a new builder
     */
    public static <T, R> Builder<T, R> builder(String name, BatchOperation<T, R> operation) {
        return new Builder<>(name, operation);
    }

    /**
     * Submits an unkeyed call.
     *
     * @param columns the call's batched arguments, all of the same size
     * @return a future completed with this call's slice of the batch result
     */
    @SafeVarargs
    public final CompletableFuture<List<R>> submit(List<? extends T>... columns) {
        return submitKeyed(null, List.of(columns));
    }

    /**
     * Submits a call that only shares a batch with calls of an equal key.
     *
     * @param key     the batch key, compared with {@code equals}; {@code null} for unkeyed
     * @param columns the call's batched arguments, all of the same size
     * @return a future completed with this call's slice of the batch result; cancelling it before
     *         its batch starts removes the call from the batch
     */
    public CompletableFuture<List<R>> submitKeyed(Object key, List<? extends List<? extends T>> columns) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * Changes the target batch size at runtime; applies to batches not yet flushed.
     *
     * @param targetBatchSize the new target, greater than 0
     */
    public void setTargetBatchSize(int targetBatchSize) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * Changes the maximum waiting time at runtime; applies to batches whose first call arrives later.
     *
     * @param maxWaitingTime the new waiting time, positive
     */
    public void setMaxWaitingTime(Duration maxWaitingTime) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** @return the name used in messages and metrics */
    public String name() {
        return name;
    }

    /** @return the settings in force now */
    public BatchConfig config() {
        return config;
    }

    /** @return the number of calls waiting for their batch to start */
    public int queuedCalls() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** @return the number of rows waiting for their batch to start */
    public int queuedRows() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** @return the number of batches whose operation is running */
    public int batchesInFlight() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * Flushes every queued call (respecting {@link BatchConfig#maxConcurrentBatches()}) and fails
     * later calls with an {@link IllegalStateException} saying the batcher is closed. Idempotent;
     * does not wait for running batches.
     */
    @Override
    public void close() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    @Override
    public String toString() {
        return "Batcher[" + name + ", " + config + "]";
    }

    /**
     * Builds a {@link Batcher}.
     *
     * @param <T> the element type of the batched columns
     * @param <R> the element type of the result
     */
    public static final class Builder<T, R> {

        private final String name;
        private final BatchOperation<T, R> operation;
        private BatchConfig config;
        private DelayScheduler scheduler = DelayScheduler.system();
        private Executor executor;
        private BatchListener listener = BatchListener.NONE;

        private Builder(String name, BatchOperation<T, R> operation) {
            this.name = Objects.requireNonNull(name, "name");
            this.operation = Objects.requireNonNull(operation, "operation");
        }

        /**
         * @param config the settings; required
         * @return this builder
         */
        public Builder<T, R> config(BatchConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /**
         * @param scheduler runs flush timers and processing timeouts; default
         *                  {@link DelayScheduler#system()}
         * @return this builder
         */
        public Builder<T, R> scheduler(DelayScheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * @param executor calls the operation and completes callers; default a shared pool of daemon
         *                 threads named {@code dike-batch-N}, safe for blocking operations
         * @return this builder
         */
        public Builder<T, R> executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * @param listener receives batch events; default none
         * @return this builder
         */
        public Builder<T, R> listener(BatchListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** @return the batcher */
        public Batcher<T, R> build() {
            if (config == null) {
                throw new IllegalArgumentException("Batcher " + name + " needs a BatchConfig");
            }
            return new Batcher<>(this);
        }
    }
}
