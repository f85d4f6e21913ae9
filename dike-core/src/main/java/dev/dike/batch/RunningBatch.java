package dev.dike.batch;

import dev.dike.context.ContextCarrier;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One formed batch, from the moment it holds a slot until it ends: a {@link BatchRunner} calls the
 * operation on the executor (or, for a batch of one call formed on its submitter's thread whose
 * operation allows it, {@link #runOnSubmitter} calls it there), the result races the processing timeout ({@link ProcessingTimeouts}),
 * and the batch frees its slot exactly once and completes every caller exactly once.
 *
 * <p>Life cycle, in {@link #state}: {@code QUEUED} (formed, holding a slot, not yet sent), then
 * {@code SENT} (the runner is committed to calling the operation), then {@code ENDED}; or straight
 * from {@code QUEUED} to {@code ENDED} when the batch times out or is refused before it is sent.
 * Whatever ends the batch (result, failure, timeout, refusal) must win the compare-and-set to
 * {@code ENDED}, and the runner must win the one from {@code QUEUED} to {@code SENT}, which it tries
 * only after the (possibly long) copying of the rows: so a batch that timed out before it was sent
 * never reaches the operation, and its slot (freed by whoever won {@code ENDED}) is never held by two
 * operations at once. The listener hears of a batch ({@code onRowsDeduplicated},
 * {@code onBatchStarted}) only once the runner won {@code SENT}, so the figures count exactly the
 * batches and rows the operation receives; a batch ended before that is reported only by
 * {@code onBatchCompleted}. A timeout that ends a {@code SENT} batch (while the listener or the
 * operation runs) lets the operation run on, its result ignored, as any timed-out operation does.
 *
 * <p>With distinct rows, the operation receives each distinct row once (in order of first
 * appearance), and each caller's slice is read from the result rows of its own rows.
 *
 * <p>With a {@link BatchRunContext}, the run's context is made just before the operation is called
 * and is current while it is called; {@link #runContext} hands it from the runner to whoever settles
 * the batch, which reports the end to it exactly once, also when a timeout settled the batch while
 * the runner was still making it.
 *
 * @param <T> the element type of the batched columns
 * @param <R> the element type of the result
 */
final class RunningBatch<T, R> extends DeadlineList.Entry<RunningBatch<T, R>> {

    private static final VarHandle RUN_CONTEXT;
    /** The value of {@link #runContext} once the batch settled. */
    private static final Object SETTLED = new Object();

    static {
        try {
            RUN_CONTEXT = MethodHandles.lookup().findVarHandle(RunningBatch.class, "runContext", Object.class);
        } catch (ReflectiveOperationException impossible) {
            throw new ExceptionInInitializerError(impossible);
        }
    }

    private final BatchContext<T, R> context;
    private final Object key;
    private final List<PendingCall<T, R>> calls;
    private final int rows;
    private final int columnCount;
    private final FlushReason reason;
    private static final int QUEUED = 0;
    private static final int SENT = 1;
    private static final int ENDED = 2;
    /**
     * {@link #QUEUED}, {@link #SENT} or {@link #ENDED}; {@code ENDED} is won by whichever ends the batch
     * first: the result, a failure, or the timeout.
     */
    private final AtomicInteger state = new AtomicInteger(QUEUED);
    /**
     * With distinct rows: per call, the index of each of its rows among the rows sent; written before
     * the operation is called, read when the callers are completed. {@code null} otherwise.
     */
    private volatile int[][] sentIndexes;
    private volatile long startNanos;
    private volatile CompletionStage<?> stage;
    /** The executor thread while it registers on the stage: a result already there is handled without a hop. */
    private volatile Thread registeringThread;
    /** Whether the batch runs on the thread that submitted its one call ({@link #runOnSubmitter}); set before the operation is called. */
    private volatile boolean onSubmitter;
    /** Null, then the run's {@link ContextCarrier.Captured} (only with a BatchRunContext), then {@link #SETTLED}. */
    private volatile Object runContext;
    /** Written before {@link #runContext} becomes {@link #SETTLED}: the end a late run context hears. */
    private volatile Throwable settledFailure;

    RunningBatch(BatchContext<T, R> context, Object key, List<PendingCall<T, R>> calls, int rows, int columnCount,
            FlushReason reason) {
        this.context = context;
        this.key = key;
        this.calls = calls;
        this.rows = rows;
        this.columnCount = columnCount;
        this.reason = reason;
    }

    /**
     * Starts timing the batch and hands it to the runner; called by whoever formed it, possibly on the
     * timer thread. The processing timeout counts from now, so a batch that waits for a runner is timed
     * too.
     */
    void start() {
        if (watch()) {
            context.runner().run(this);
        }
    }

    /**
     * @return whether this batch is {@code submitted} alone and its operation may run on the thread
     *         that submitted it; see {@link BatchOperation#mayRunOnSubmitter}
     */
    boolean mayRunOnSubmitterOf(PendingCall<T, R> submitted) {
        return calls.size() == 1 && calls.get(0) == submitted && context.operation().mayRunOnSubmitter(key);
    }

    /**
     * Runs the batch here, on the thread that submitted its one call, instead of handing it to a runner:
     * the operation is called here, and the call completes on whatever thread completes the operation's
     * stage (here if it is complete at once), as a call without batching would. Timed like any batch.
     */
    void runOnSubmitter() {
        if (!watch()) {
            return;
        }
        onSubmitter = true;
        List<List<T>> columns = send();
        if (columns != null) {
            callOperationInRunContext(columns);
        }
    }

    /** Starts timing the batch; {@code false} if the scheduler refused, and the batch was failed. */
    private boolean watch() {
        long now = context.scheduler().nanoTime();
        startNanos = now;
        try {
            context.timeouts().watch(this, now);
            return true;
        } catch (RuntimeException refused) {
            refuse(refused);
            return false;
        }
    }

    /**
     * Fails the batch because the executor or the scheduler refused it; callers are completed on the
     * executor, or on this thread if it refuses that as well.
     */
    void refuse(Throwable refusal) {
        context.handOff(() -> end(null, refusal));
    }

    String name() {
        return context.name();
    }

    /**
     * Called by a runner on the executor: calls the operation, unless the batch timed out (or was
     * refused) while it waited or while its rows were copied.
     */
    void run(BatchRunner<T, R> runner) {
        List<List<T>> columns = send();
        if (columns == null) {
            return;
        }
        // Busy from here: the operation may block, and so may the callers' dependent stages, which run
        // here when its result is already complete.
        runner.enterUserCode();
        try {
            callOperationInRunContext(columns);
        } finally {
            runner.leaveUserCode();
        }
    }

    /**
     * Commits the batch to being sent and reports it to the listener.
     *
     * @return the batch's columns; {@code null} if it ended (timed out or refused) before, and must not be sent
     */
    private List<List<T>> send() {
        if (state.get() == ENDED) {
            return null; // cheap early exit: the decisive check is the compare-and-set below
        }
        startNanos = context.scheduler().nanoTime();
        List<List<T>> columns;
        try {
            columns = columns();
        } catch (RuntimeException | Error unexpected) {
            end(null, unexpected); // a bug; its callers must not be left waiting for the timeout
            return null;
        }
        if (!state.compareAndSet(QUEUED, SENT)) {
            return null; // ended meanwhile: its callers are (being) failed and its slot freed by whoever ended it
        }
        // Reported only for a batch that is sent, so the figures count rows the operation received.
        int saved = calls.get(0).distinct() ? callRows() - rows : 0;
        if (saved > 0) {
            context.listener().onRowsDeduplicated(context.name(), saved);
        }
        context.listener().onBatchStarted(context.name(), reason, rows, calls.size(),
                startNanos - calls.get(0).arrivalNanos());
        return columns;
    }

    /** Calls the operation inside the run's context, if the batcher has a {@link BatchRunContext}. */
    private void callOperationInRunContext(List<List<T>> columns) {
        ContextCarrier.Captured run = startRunContext();
        if (run == null) {
            callOperation(columns);
        } else {
            try (ContextCarrier.Scope scope = run.open()) {
                callOperation(columns);
            }
        }
    }

    /** Makes the run's context, if the batcher has a {@link BatchRunContext}, from its callers' contexts. */
    private ContextCarrier.Captured startRunContext() {
        BatchRunContext factory = context.runContext();
        if (factory == null) {
            return null;
        }
        List<ContextCarrier.Captured> callers = new ArrayList<>(calls.size());
        for (PendingCall<T, R> call : calls) {
            if (call.context() != null) {
                callers.add(call.context());
            }
        }
        ContextCarrier.Captured run = factory.batchStarting(reason, rows, callers);
        if (!RUN_CONTEXT.compareAndSet(this, null, run)) {
            run.done(settledFailure); // the batch timed out while its context was being made
        }
        return run;
    }

    private void callOperation(List<List<T>> columns) {
        try {
            CompletionStage<? extends List<? extends R>> result = context.operation().execute(key, columns);
            if (result == null) {
                end(null, new IllegalStateException("Batch operation of " + context.name()
                        + " returned null instead of a CompletionStage"));
                return;
            }
            stage = result;
            if (state.get() == ENDED) {
                cancel(result); // timed out while execute() ran: nobody wants the result
                return;
            }
            registeringThread = Thread.currentThread();
            result.whenComplete(this::onResult);
        } catch (Throwable failure) {
            end(null, failure);
        } finally {
            registeringThread = null;
        }
    }

    private void onResult(List<? extends R> results, Throwable error) {
        // Run on its submitter, the batch's one call completes where the operation's stage does, as it
        // would without batching: one more hand-off here is what made an idle zero-wait batch slow.
        if (onSubmitter || Thread.currentThread() == registeringThread) {
            end(results, error);
        } else {
            // The stage completed on a foreign thread (maybe the timer's): complete callers on the executor.
            context.handOff(() -> end(results, error));
        }
    }

    /** Called by {@link ProcessingTimeouts} on the timer thread once the batch's deadline passed. */
    void timeOut(Duration maxProcessingTime) {
        if (!tryEnd()) {
            return;
        }
        TimeoutException failure = new TimeoutException(
                "Batch " + context.name() + " did not complete within " + describe(maxProcessingTime));
        context.handOff(() -> {
            cancel(stage);
            settle(null, failure, BatchCallOutcome.TIMEOUT);
        });
    }

    private void end(List<? extends R> results, Throwable error) {
        if (!tryEnd()) {
            return;
        }
        context.timeouts().unwatch(this);
        Throwable failure = error != null ? unwrap(error) : checkSize(results);
        settle(results, failure, BatchCallOutcome.FAILURE);
    }

    /** @return whether this call ended the batch (from {@code QUEUED} or {@code SENT}); only one call ever does */
    private boolean tryEnd() {
        int current;
        do {
            current = state.get();
            if (current == ENDED) {
                return false;
            }
        } while (!state.compareAndSet(current, ENDED));
        return true;
    }

    /** Frees the slot first (the next batch may start at once), then completes every caller, then reports. */
    private void settle(List<? extends R> results, Throwable failure, BatchCallOutcome failureOutcome) {
        long processingNanos = context.scheduler().nanoTime() - startNanos;
        settledFailure = failure;
        Object run = RUN_CONTEXT.getAndSet(this, SETTLED);
        try {
            if (run instanceof ContextCarrier.Captured) {
                ((ContextCarrier.Captured) run).done(failure);
            }
        } finally {
            releaseAndComplete(results, failure, failureOutcome, processingNanos);
        }
    }

    private void releaseAndComplete(List<? extends R> results, Throwable failure, BatchCallOutcome failureOutcome,
            long processingNanos) {
        try {
            context.dispatcher().release();
        } finally {
            if (failure == null) {
                deliver(results);
            } else {
                for (PendingCall<T, R> call : calls) {
                    call.fail(failure, failureOutcome);
                }
            }
            context.listener().onBatchCompleted(context.name(), rows, processingNanos, failure);
        }
    }

    private int callRows() {
        int callRows = 0;
        for (PendingCall<T, R> call : calls) {
            callRows += call.rows();
        }
        return callRows;
    }

    private void deliver(List<? extends R> results) {
        int[][] indexes = sentIndexes;
        if (indexes != null) {
            deliverDistinct(results, indexes);
            return;
        }
        int offset = 0;
        for (PendingCall<T, R> call : calls) {
            int end = offset + call.rows();
            try {
                call.succeed(new ArrayList<>(results.subList(offset, end)));
            } catch (RuntimeException sliceFailure) {
                call.fail(sliceFailure, BatchCallOutcome.FAILURE); // a broken result list must not strand the rest
            }
            offset = end;
        }
    }

    private void deliverDistinct(List<? extends R> results, int[][] indexes) {
        for (int index = 0; index < calls.size(); index++) {
            PendingCall<T, R> call = calls.get(index);
            try {
                List<R> slice = new ArrayList<>(call.rows());
                for (int sent : indexes[index]) {
                    slice.add(results.get(sent));
                }
                call.succeed(slice);
            } catch (RuntimeException sliceFailure) {
                call.fail(sliceFailure, BatchCallOutcome.FAILURE);
            }
        }
    }

    private Throwable checkSize(List<? extends R> results) {
        if (results == null) {
            return new IllegalStateException("Batch operation of " + context.name() + " returned null instead of "
                    + rows + " results");
        }
        if (results.size() != rows) {
            return new IllegalStateException("Batch operation of " + context.name() + " returned " + results.size()
                    + " results for " + rows + " rows");
        }
        return null;
    }

    /** Column {@code c} of the batch: column {@code c} of every call, concatenated in arrival order. */
    private List<List<T>> columns() {
        if (calls.get(0).distinct()) {
            return distinctColumns();
        }
        List<List<T>> columns = new ArrayList<>(columnCount);
        for (int index = 0; index < columnCount; index++) {
            List<T> column = new ArrayList<>(rows);
            for (PendingCall<T, R> call : calls) {
                column.addAll(call.column(index));
            }
            columns.add(column);
        }
        for (PendingCall<T, R> call : calls) {
            call.dropColumns();
        }
        return columns;
    }

    /** Column {@code c} of the batch: column {@code c} of each distinct row, in order of first appearance. */
    private List<List<T>> distinctColumns() {
        List<List<T>> columns = new ArrayList<>(columnCount);
        for (int index = 0; index < columnCount; index++) {
            columns.add(new ArrayList<>(rows));
        }
        Map<PendingCall.Row, Integer> sent = new HashMap<>();
        int[][] indexes = new int[calls.size()][];
        for (int index = 0; index < calls.size(); index++) {
            PendingCall<T, R> call = calls.get(index);
            int[] rowIndexes = new int[call.rows()];
            for (int row = 0; row < rowIndexes.length; row++) {
                Integer at = sent.putIfAbsent(call.rowKey(row), sent.size());
                if (at == null) {
                    at = sent.size() - 1;
                    for (int column = 0; column < columnCount; column++) {
                        columns.get(column).add(call.column(column).get(row));
                    }
                }
                rowIndexes[row] = at;
            }
            indexes[index] = rowIndexes;
            call.dropColumns();
        }
        sentIndexes = indexes;
        return columns;
    }

    private static void cancel(CompletionStage<?> stage) {
        if (stage instanceof Future) {
            ((Future<?>) stage).cancel(true);
        }
    }

    static Throwable unwrap(Throwable error) {
        Throwable current = error;
        while ((current instanceof CompletionException || current instanceof ExecutionException)
                && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }

    /** Writes {@code 10s}, {@code 250ms}, or the ISO form for other values. */
    static String describe(Duration duration) {
        if (duration.getNano() == 0) {
            return duration.getSeconds() + "s";
        }
        if (duration.getNano() % 1_000_000 == 0 && duration.getSeconds() < Long.MAX_VALUE / 1000) {
            return duration.toMillis() + "ms";
        }
        return duration.toString();
    }
}
