package dev.dike.retry;

import dev.dike.time.DelayScheduler.ScheduledTask;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One call of {@link Retrier#executeAsync}: the future handed to the caller, and the state of its
 * attempts.
 *
 * <p>Attempts never overlap: attempt n+1 starts only after attempt n's stage completed and its delay
 * elapsed, so {@link #attempts} is confined to one attempt at a time (each hand-off, through the
 * stage, the scheduler or the executor, is a happens-before edge). Only the caller's completion
 * (cancel, complete, timeout) races with the attempts; {@link #currentAttempt} and
 * {@link #pendingDelay} are volatile and are written before {@link #isDone()} is checked, while the
 * caller's completion writes the result before reading them, so at least one side always sees the
 * other and no attempt starts, and no delay stays scheduled, after the caller completed the future.
 *
 * @param <T> the result type
 */
final class AsyncRetry<T> extends CompletableFuture<T> {

    private final Retrier retrier;
    private final Supplier<? extends CompletionStage<? extends T>> operation;
    private int attempts;
    private volatile CompletionStage<?> currentAttempt;
    private volatile PendingDelay pendingDelay;

    AsyncRetry(Retrier retrier, Supplier<? extends CompletionStage<? extends T>> operation) {
        this.retrier = retrier;
        this.operation = operation;
    }

    /** Starts the next attempt unless the caller already completed (e.g. cancelled) this future. */
    void runAttempt() {
        if (isDone()) {
            return;
        }
        attempts++;
        CompletionStage<? extends T> stage;
        try {
            stage = operation.get();
        } catch (Throwable thrown) {
            attemptFailed(thrown);
            return;
        }
        if (stage == null) {
            attemptFailed(retrier.nullAttempt("CompletionStage"));
            return;
        }
        currentAttempt = stage;
        if (isDone()) {
            // Cancelled while the operation was being called: stop the attempt it just started.
            cancelAttempt(stage);
            return;
        }
        if (stage instanceof CompletableFuture) {
            // A minimal stage (completedStage(), failedStage()) is a CompletableFuture whose isDone() throws;
            // toCompletableFuture() gives a full view of it, and is the future itself for any other one.
            CompletableFuture<? extends T> future = stage.toCompletableFuture();
            if (future.isDone()) {
                // Already complete: read the result directly instead of allocating a dependent stage.
                completedAttempt(future);
                return;
            }
        }
        stage.whenComplete(this::attemptCompleted);
    }

    /** Receives the outcome of the current attempt's stage. */
    private void attemptCompleted(T value, Throwable error) {
        if (error != null) {
            attemptFailed(error);
        } else {
            attemptSucceeded(value);
        }
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        stopAttempts();
        return cancelled;
    }

    /** Completing the future from outside (e.g. {@code orTimeout}) also stops the retries. */
    @Override
    public boolean complete(T value) {
        boolean completed = super.complete(value);
        if (completed) {
            stopAttempts();
        }
        return completed;
    }

    /** Completing the future from outside (e.g. {@code orTimeout}) also stops the retries. */
    @Override
    public boolean completeExceptionally(Throwable error) {
        boolean completed = super.completeExceptionally(error);
        if (completed) {
            stopAttempts();
        }
        return completed;
    }

    private void completedAttempt(CompletableFuture<? extends T> done) {
        T value;
        try {
            value = done.join(); // does not block: the future is done
        } catch (Throwable error) {
            attemptFailed(error);
            return;
        }
        attemptSucceeded(value);
    }

    private void attemptSucceeded(T value) {
        if (super.complete(value)) {
            retrier.events().completed(attempts == 1 ? RetryOutcome.SUCCESS_WITHOUT_RETRY
                    : RetryOutcome.SUCCESS_WITH_RETRY, attempts, null);
        }
    }

    private void attemptFailed(Throwable thrown) {
        if (isDone()) {
            return; // the caller stopped the call: no further attempt and no events
        }
        Throwable error = RetryRules.unwrap(thrown);
        RetryRules rules = retrier.rules();
        if (!rules.mayRetry(error, attempts)) {
            finishExceptionally(error);
            return;
        }
        long delayNanos = rules.delayNanos(attempts);
        retrier.events().retryScheduled(attempts, error, delayNanos);
        PendingDelay delay = new PendingDelay(error);
        // Published before scheduling, so a later retry's delay can never be overwritten by this one.
        pendingDelay = delay;
        if (isDone()) {
            return;
        }
        try {
            delay.schedule(delayNanos);
        } catch (Throwable rejected) {
            rejected.addSuppressed(error);
            finishExceptionally(rejected);
        }
    }

    private void finishExceptionally(Throwable error) {
        if (super.completeExceptionally(error)) {
            retrier.events().completed(retrier.rules().failureOutcome(error, attempts), attempts, error);
        }
    }

    private void stopAttempts() {
        PendingDelay delay = pendingDelay;
        if (delay != null) {
            delay.cancel();
        }
        CompletionStage<?> attempt = currentAttempt;
        if (attempt != null) {
            cancelAttempt(attempt);
        }
    }

    private static void cancelAttempt(CompletionStage<?> attempt) {
        try {
            attempt.toCompletableFuture().cancel(false);
        } catch (UnsupportedOperationException notCancellable) {
            // A stage that cannot be viewed as a CompletableFuture cannot be cancelled: its result is ignored.
        }
    }

    /**
     * The wait before one retry. Its task runs on the scheduler's thread and only hands the next
     * attempt to the executor.
     */
    private final class PendingDelay implements Runnable {

        private final Throwable lastError;
        private volatile ScheduledTask task;
        private volatile boolean cancelled;

        PendingDelay(Throwable lastError) {
            this.lastError = lastError;
        }

        void schedule(long delayNanos) {
            ScheduledTask scheduled = retrier.scheduler().schedule(this, delayNanos, TimeUnit.NANOSECONDS);
            task = scheduled;
            if (cancelled) {
                scheduled.cancel();
            }
        }

        void cancel() {
            cancelled = true;
            ScheduledTask scheduled = task;
            if (scheduled != null) {
                scheduled.cancel();
            }
        }

        @Override
        public void run() {
            if (cancelled || isDone()) {
                return;
            }
            try {
                retrier.executor().execute(AsyncRetry.this::runAttempt);
            } catch (Throwable rejected) {
                rejected.addSuppressed(lastError);
                finishExceptionally(rejected);
            }
        }
    }
}
