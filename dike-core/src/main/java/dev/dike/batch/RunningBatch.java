package dev.dike.batch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One formed batch, from the moment it holds a slot until it ends: a {@link BatchRunner} calls the
 * operation on the executor, the result races the processing timeout ({@link ProcessingTimeouts}),
 * and the batch frees its slot exactly once and completes every caller exactly once.
 *
 * @param <T> the element type of the batched columns
 * @param <R> the element type of the result
 */
final class RunningBatch<T, R> extends DeadlineList.Entry<RunningBatch<T, R>> {

    private final BatchContext<T, R> context;
    private final Object key;
    private final List<PendingCall<T, R>> calls;
    private final int rows;
    private final int columnCount;
    private final FlushReason reason;
    /** Won by whichever ends the batch first: the result, a failure, or the timeout. */
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile long startNanos;
    private volatile CompletionStage<?> stage;
    /** The executor thread while it registers on the stage: a result already there is handled without a hop. */
    private volatile Thread registeringThread;

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
        long now = context.scheduler().nanoTime();
        startNanos = now;
        try {
            context.timeouts().watch(this, now);
        } catch (RuntimeException refused) {
            refuse(refused);
            return;
        }
        context.runner().run(this);
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

    /** Called by a runner on the executor: calls the operation, unless the batch timed out while it waited. */
    void run(BatchRunner<T, R> runner) {
        if (ended.get()) {
            return;
        }
        startNanos = context.scheduler().nanoTime();
        context.listener().onBatchStarted(context.name(), reason, rows, calls.size(),
                startNanos - calls.get(0).arrivalNanos());
        // Busy from here: the operation may block, and so may the callers' dependent stages, which run
        // here when its result is already complete.
        runner.enterUserCode();
        try {
            callOperation();
        } finally {
            runner.leaveUserCode();
        }
    }

    private void callOperation() {
        try {
            CompletionStage<? extends List<? extends R>> result = context.operation().execute(key, columns());
            if (result == null) {
                end(null, new IllegalStateException("Batch operation of " + context.name()
                        + " returned null instead of a CompletionStage"));
                return;
            }
            stage = result;
            if (ended.get()) {
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
        if (Thread.currentThread() == registeringThread) {
            end(results, error);
        } else {
            // The stage completed on a foreign thread (maybe the timer's): complete callers on the executor.
            context.handOff(() -> end(results, error));
        }
    }

    /** Called by {@link ProcessingTimeouts} on the timer thread once the batch's deadline passed. */
    void timeOut(Duration maxProcessingTime) {
        if (!ended.compareAndSet(false, true)) {
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
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        context.timeouts().unwatch(this);
        Throwable failure = error != null ? unwrap(error) : checkSize(results);
        settle(results, failure, BatchCallOutcome.FAILURE);
    }

    /** Frees the slot first (the next batch may start at once), then completes every caller, then reports. */
    private void settle(List<? extends R> results, Throwable failure, BatchCallOutcome failureOutcome) {
        long processingNanos = context.scheduler().nanoTime() - startNanos;
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

    private void deliver(List<? extends R> results) {
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
