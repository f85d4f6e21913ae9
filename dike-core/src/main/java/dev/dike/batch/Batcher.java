package dev.dike.batch;

import dev.dike.context.ContextCarrier;
import dev.dike.time.DelayScheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.UnaryOperator;

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
 *       and is formed and started when a slot frees. With a {@code maxWaitingTime} of zero a batch
 *       is formed as soon as a slot is free: an idle batcher adds no wait, a busy one accumulates.</li>
 *   <li>Calls submitted with {@link #submitDistinct} send each distinct row of a batch once (rows
 *       compared with {@code equals}); every caller of that row receives its result, and
 *       {@link BatchConfig#targetBatchSize()} counts distinct rows.</li>
 *   <li>A batch not ended {@link BatchConfig#maxProcessingTime()} after it was formed (whether it still
 *       waits for a thread or its operation runs) fails every caller of it with a
 *       {@link java.util.concurrent.TimeoutException}.</li>
 *   <li>A thrown or failed operation fails every caller of the batch with the original exception; a
 *       null result or one whose size differs from the rows sent fails them with an
 *       {@link IllegalStateException} giving both numbers.</li>
 *   <li>A call whose lists differ in length or contain a null list fails alone with
 *       {@link IllegalArgumentException}; a call with empty lists gets an empty list at once.</li>
 *   <li>A caller that cancels before its batch starts is removed from it; a batch left empty is not
 *       run. Cancelling one caller never cancels the batch for the others.</li>
 *   <li>Callers' futures are completed off the timer thread, unless the executor refuses that task
 *       too. A result that is complete when the operation returns completes its callers on the
 *       thread that ran the operation. Every caller completes exactly once on every path, and no
 *       failure leaves state behind.</li>
 *   <li>A batch of one call formed on the thread that submitted it runs on that thread when
 *       {@link BatchOperation#mayRunOnSubmitter} allows it, and its call completes where the
 *       operation's stage completes: no executor hand-off, as for a call without batching. Every
 *       other batch runs on the executor.</li>
 *   <li>The executor must run or refuse every task it is given: one that discards tasks silently
 *       leaves batches to fail only at their processing timeout.</li>
 *   <li>With a {@link ContextCarrier}, each caller's context is captured at submit and is current
 *       while its future is completed; a {@link BatchRunContext} supplies the context the operation
 *       is called in, from the batch's flush reason, rows and its callers' contexts.</li>
 * </ul>
 *
 * @param <T> the element type of the batched columns
 * @param <R> the element type of the result
 */
public final class Batcher<T, R> implements AutoCloseable {

    private final String name;
    private final BatchContext<T, R> context;
    private final Object configLock = new Object();

    private Batcher(Builder<T, R> builder) {
        this.name = builder.name;
        Executor executor = builder.executor != null ? builder.executor : BatchThreads.shared();
        this.context = new BatchContext<>(builder.name, builder.operation, builder.config, builder.scheduler,
                executor, builder.listener, builder.contextCarrier, builder.runContext);
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
     * Submits an unkeyed call. Same as {@code submitKeyed(null, List.of(columns))}, except that a
     * {@code null} column is reported through the returned future.
     *
     * @param columns the call's batched arguments, all of the same size
     * @return a future completed with this call's slice of the batch result
     */
    @SafeVarargs
    public final CompletableFuture<List<R>> submit(List<? extends T>... columns) {
        return submitKeyed(null, columns == null ? null : Arrays.asList(columns));
    }

    /**
     * Submits a call that only shares a batch with calls of an equal key.
     *
     * <p>The call is never refused by a thrown exception: an invalid call (a {@code null} list, no
     * column, a {@code null} column, columns of different sizes, or a column count that differs from
     * the calls already queued for the key) gets a future failed with an
     * {@link IllegalArgumentException}, and a call to a closed batcher one failed with an
     * {@link IllegalStateException}. A call whose columns are empty gets an empty list at once and
     * the operation is not called. The lists are copied, so the caller may reuse them.
     *
     * @param key     the batch key, compared with {@code equals}; {@code null} for unkeyed
     * @param columns the call's batched arguments, all of the same size
     * @return a future completed with this call's slice of the batch result, as a new mutable list;
     *         cancelling it before its batch is formed removes the call from the batch
     */
    public CompletableFuture<List<R>> submitKeyed(Object key, List<? extends List<? extends T>> columns) {
        return enqueue(key, columns, false);
    }

    /**
     * Submits a call whose rows are de-duplicated within their batch: a row equal to a row of another
     * call of the batch (or of this call) is sent to the operation once, and every caller of it
     * receives that row's result. A row is its one value when there is one column, else the list of
     * its values; equality is {@code equals}/{@code hashCode}, and {@code null} values are allowed.
     * {@link BatchConfig#targetBatchSize()} counts distinct rows; a batch that reached it still takes
     * every queued call whose rows are all in it already. Calls of one key must all be submitted
     * this way or all with {@link #submitKeyed}; a call of the other kind fails with an
     * {@link IllegalArgumentException} while calls of the first kind are queued.
     *
     * <p>Each row's hash is taken once, when the call is submitted: a row whose {@code hashCode}
     * throws fails the call with an {@link IllegalArgumentException}, and an {@code equals} that
     * throws counts as "not equal". Rows should not change while queued: a changed row is still
     * answered, but may be sent once more.
     *
     * <p>Everything else is as for {@link #submitKeyed}. Once a batch is formed, its rows are sent
     * even if every caller of a row cancels.
     *
     * @param key     the batch key, compared with {@code equals}; {@code null} for unkeyed
     * @param columns the call's batched arguments, all of the same size
     * @return a future completed with this call's rows' results, as a new mutable list
     */
    public CompletableFuture<List<R>> submitDistinct(Object key, List<? extends List<? extends T>> columns) {
        return enqueue(key, columns, true);
    }

    private CompletableFuture<List<R>> enqueue(Object key, List<? extends List<? extends T>> columns, boolean distinct) {
        PendingCall<T, R> call;
        try {
            if (context.isClosed()) {
                throw context.closedException();
            }
            call = PendingCall.create(name, columns, context.scheduler().nanoTime(), distinct,
                    context.contextCarrier());
        } catch (IllegalArgumentException | IllegalStateException rejection) {
            return rejected(rejection);
        }
        if (call.rows() == 0) {
            context.listener().onCallCompleted(name, BatchCallOutcome.SUCCESS);
            return CompletableFuture.completedFuture(new ArrayList<>());
        }
        while (true) {
            KeyQueue<T, R> queue = context.queues().queueFor(key);
            KeyQueue.Admission admission;
            try {
                admission = queue.add(call);
            } catch (IllegalArgumentException | IllegalStateException rejection) {
                return rejected(rejection);
            }
            if (admission == KeyQueue.Admission.RETIRED) {
                continue; // the queue emptied and retired between lookup and lock: use the key's new queue
            }
            // Runs exactly once, on whatever completes the future: reports the outcome and withdraws a
            // call whose caller gave up before its batch was formed.
            call.future().whenComplete((result, error) -> {
                if (!call.isTaken()) {
                    queue.withdraw(call);
                }
                context.listener().onCallCompleted(name, call.outcome());
                call.ended(error);
            });
            if (admission == KeyQueue.Admission.DUE) {
                context.dispatcher().offer(queue, call);
            }
            return call.future();
        }
    }

    private CompletableFuture<List<R>> rejected(RuntimeException rejection) {
        context.listener().onCallCompleted(name, BatchCallOutcome.REJECTED);
        return CompletableFuture.failedFuture(rejection);
    }

    /**
     * Changes the target batch size at runtime; applies to batches not yet formed. Queues that
     * already reach a lowered target are flushed at once.
     *
     * @param targetBatchSize the new target, greater than 0
     * @throws IllegalArgumentException naming the batcher, the attribute and the value if invalid
     */
    public void setTargetBatchSize(int targetBatchSize) {
        updateConfig(builder -> builder.targetBatchSize(targetBatchSize));
        for (KeyQueue<T, R> queue : context.queues().all()) {
            queue.flushIfFull();
        }
    }

    /**
     * Changes the maximum waiting time at runtime; applies to batches whose first call arrives later.
     *
     * @param maxWaitingTime the new waiting time, positive, or zero if the batcher has a
     *                       {@link BatchConfig#maxConcurrentBatches() cap} on concurrent batches
     * @throws IllegalArgumentException naming the batcher, the attribute and the value if invalid
     */
    public void setMaxWaitingTime(Duration maxWaitingTime) {
        if (maxWaitingTime == null) {
            throw new IllegalArgumentException("Batcher " + name + ": maxWaitingTime must not be null");
        }
        updateConfig(builder -> builder.maxWaitingTime(maxWaitingTime));
    }

    private void updateConfig(UnaryOperator<BatchConfig.Builder> change) {
        synchronized (configLock) { // two setters racing must not undo each other's change
            try {
                context.config(change.apply(context.config().toBuilder()).build());
            } catch (IllegalArgumentException invalid) {
                throw new IllegalArgumentException("Batcher " + name + ": " + invalid.getMessage(), invalid);
            }
        }
    }

    /** @return the name used in messages and metrics */
    public String name() {
        return name;
    }

    /** @return the settings in force now */
    public BatchConfig config() {
        return context.config();
    }

    /** @return the number of calls waiting for their batch to be formed (and so to start) */
    public int queuedCalls() {
        return context.queuedCalls();
    }

    /** @return the number of rows waiting for their batch to be formed (and so to start) */
    public int queuedRows() {
        return context.queuedRows();
    }

    /**
     * @return the number of batches holding a slot: formed and not yet ended by a result, a failure
     *         or their processing timeout (a timed-out operation that keeps running no longer counts)
     */
    public int batchesInFlight() {
        return context.dispatcher().batchesInFlight();
    }

    /** @return the number of per-key queues alive; 0 when idle (for tests) */
    int liveQueues() {
        return context.queues().size();
    }

    /** @return the number of queues listed as due; 0 when idle (for tests) */
    int listedQueues() {
        return context.dispatcher().listedQueues();
    }

    /** @return the number of executor tasks running batches; 0 when idle (for tests) */
    int runners() {
        return context.runner().runners();
    }

    /** @return whether the processing-timeout timer is pending, which it may be for a while after going idle (for tests) */
    boolean processingTimerArmed() {
        return context.timeouts().armed();
    }

    /** @return whether the flush task is pending, which it may be for a while after going idle (for tests) */
    boolean flushTimerArmed() {
        return context.flushTimers().armed();
    }

    /** @return the number of queues waiting for their flush timer; 0 when idle (for tests) */
    int timedQueues() {
        return context.flushTimers().listed();
    }

    /**
     * Flushes every queued call (respecting {@link BatchConfig#maxConcurrentBatches()}) and fails
     * later calls with an {@link IllegalStateException} saying the batcher is closed. Idempotent;
     * does not wait for running batches.
     */
    @Override
    public void close() {
        context.markClosed();
        for (KeyQueue<T, R> queue : context.queues().all()) {
            queue.flushForClose();
        }
    }

    @Override
    public String toString() {
        return "Batcher[" + name + ", " + context.config() + "]";
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
        private ContextCarrier contextCarrier;
        private BatchRunContext runContext;

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
         * @param executor calls the operation and completes callers; one task runs the batches formed
         *                 while it runs, and another task is started only while every task of this
         *                 batcher is inside the operation; default a shared pool of daemon threads named
         *                 {@code dike-batch-N} that starts threads on demand, so blocking operations are
         *                 safe, up to 256 threads, beyond which tasks wait in its queue
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

        /**
         * @param contextCarrier captures each caller's context at submit: its future is completed in
         *                       that context, and the batch's {@link BatchRunContext} receives the
         *                       contexts of its callers; default none
         * @return this builder
         */
        public Builder<T, R> contextCarrier(ContextCarrier contextCarrier) {
            this.contextCarrier = Objects.requireNonNull(contextCarrier, "contextCarrier");
            return this;
        }

        /**
         * @param runContext supplies the context each batch calls its operation in (e.g. a tracing
         *                   span linked to its callers'); default none
         * @return this builder
         */
        public Builder<T, R> runContext(BatchRunContext runContext) {
            this.runContext = Objects.requireNonNull(runContext, "runContext");
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
