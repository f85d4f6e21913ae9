package dev.dike.retry;

import dev.dike.context.ContextCarrier;
import dev.dike.time.DelayScheduler.ScheduledTask;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CancellationException;
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
 * stage, the scheduler, the executor or {@link #loopRequests}, is a happens-before edge).
 *
 * <p>After a non-zero delay the next attempt runs on the retrier's executor. After a zero delay it
 * starts at once on the thread that saw the failure, without going through the scheduler or the
 * executor; to keep the stack flat when attempts fail synchronously, attempts run in a loop
 * ({@link #attemptLoop()}) that a zero-delay retry re-enters only when no loop is running: a retry
 * requested from inside the loop (a stage that was already complete, a synchronous throw, a
 * callback that {@code handle} runs at once) or while the loop is finishing on another thread
 * becomes its next iteration instead of a nested call.
 *
 * <p>Only the caller's completion (cancel, complete, timeout) races with the attempts;
 * {@link #inProgress} is volatile and is written before {@link #isDone()} is checked, while the
 * caller's completion writes the result before reading it, so at least one side always sees the
 * other and no attempt starts, and no delay stays scheduled, after the caller completed the future.
 * The loop checks {@link #isDone()} before every attempt, so a chain of zero-delay retries stops as
 * soon as the caller's completion is visible.
 *
 * <p>With a {@link ContextCarrier}, the caller's context captured at the start is current wherever
 * the call continues: the first attempts on the caller's thread, the handling of an attempt's outcome
 * on the thread that completed it (log line, listener events, scheduling, the caller's completion),
 * the timer task and the attempt after a delay on the executor. Whoever completes this future first
 * reports the end to the captured context, once ({@link Carried#ended}).
 *
 * @param <T> the result type
 */
final class AsyncRetry<T> extends CompletableFuture<T> {

    private static final VarHandle LOOP_REQUESTS;

    static {
        try {
            LOOP_REQUESTS = MethodHandles.lookup().findVarHandle(AsyncRetry.class, "loopRequests", int.class);
        } catch (ReflectiveOperationException impossible) {
            throw new ExceptionInInitializerError(impossible);
        }
    }

    private final Retrier retrier;
    /**
     * The operation ({@code Supplier<? extends CompletionStage<? extends T>>}), or a {@link Carried}
     * holding it with the caller's context. One field for both keeps this object, allocated by every
     * call, as small as without a carrier: a call without one pays a type check where the context
     * would be used.
     */
    private final Object operation;
    private int attempts;
    /**
     * Attempts requested of the running {@link #attemptLoop()}, the one being made included; 0 when
     * no loop runs. Plain when written by the constructor (not yet shared), atomic afterwards.
     */
    private int loopRequests;
    /**
     * What the caller's completion must stop: the current attempt's stage, or the {@link PendingDelay}
     * after it failed. One field for both keeps this object, allocated by every call, small.
     */
    private volatile Object inProgress;

    AsyncRetry(Retrier retrier, Supplier<? extends CompletionStage<? extends T>> operation,
            ContextCarrier.Captured context) {
        this.retrier = retrier;
        this.operation = context == null ? operation : new Carried(operation, context);
        this.loopRequests = 1; // the first attempt: start() runs the loop without an atomic update
    }

    /** @return the caller's context, or {@code null} without a carrier */
    private ContextCarrier.Captured context() {
        Object held = operation;
        return held instanceof Carried ? ((Carried) held).captured : null;
    }

    @SuppressWarnings("unchecked")
    private Supplier<? extends CompletionStage<? extends T>> operation() {
        Object held = operation;
        return (Supplier<? extends CompletionStage<? extends T>>) (held instanceof Carried
                ? ((Carried) held).operation : held);
    }

    /** Makes the first attempt, and the zero-delay retries that follow it, on the caller's thread. */
    void start() {
        retrier.callStarted();
        ContextCarrier.Captured context = context();
        if (context == null) {
            attemptLoop();
            return;
        }
        try (ContextCarrier.Scope scope = context.open()) {
            attemptLoop();
        }
    }

    /**
     * Starts the next attempt on this thread, or leaves it to the loop that is already running (on
     * this thread, further down the stack, or on the thread finishing the previous attempt).
     */
    private void startNextAttempt() {
        if ((int) LOOP_REQUESTS.getAndAdd(this, 1) == 0) {
            attemptLoop();
        }
    }

    /** Makes attempts while some are requested; the caller owns the loop (loopRequests >= 1). */
    private void attemptLoop() {
        do {
            runAttempt();
            // Once this future is done no attempt may start again, so the count no longer matters.
        } while (!isDone() && (int) LOOP_REQUESTS.getAndAdd(this, -1) != 1);
    }

    /** Starts one attempt unless the caller already completed (e.g. cancelled) this future. */
    private void runAttempt() {
        if (isDone()) {
            return;
        }
        attempts++;
        CompletionStage<? extends T> stage;
        try {
            stage = operation().get();
        } catch (Throwable thrown) {
            attemptFailed(thrown);
            return;
        }
        if (stage == null) {
            attemptFailed(retrier.nullAttempt("CompletionStage"));
            return;
        }
        inProgress = stage;
        if (isDone()) {
            // Cancelled while the operation was being called: stop the attempt it just started.
            cancelAttempt(stage);
            return;
        }
        if (stage instanceof CompletableFuture) {
            // A minimal stage (completedStage(), failedStage()) is a CompletableFuture whose isDone() throws;
            // toCompletableFuture() gives a full view of it, and is the future itself for any other one.
            CompletableFuture<? extends T> future = stage.toCompletableFuture();
            if (future.isDone() && !future.isCompletedExceptionally()) {
                // Already succeeded: read the value directly instead of allocating a dependent stage.
                attemptSucceeded(future.join()); // does not block: the future is done
                return;
            }
        }
        // handle(), which runs at once if the stage is already complete. Neither join() nor whenComplete():
        // both would wrap a failure in a new CompletionException, filling in a stack trace per failed attempt.
        stage.handle(this::attemptCompleted);
    }

    /** Receives the outcome of the current attempt's stage; the returned value is not used. */
    private Void attemptCompleted(T value, Throwable error) {
        ContextCarrier.Captured context = context();
        if (context == null) {
            return outcome(value, error);
        }
        // Possibly a foreign thread (the one that completed the attempt's future): the caller's context.
        try (ContextCarrier.Scope scope = context.open()) {
            return outcome(value, error);
        }
    }

    private Void outcome(T value, Throwable error) {
        if (error != null) {
            attemptFailed(error);
        } else {
            attemptSucceeded(value);
        }
        return null;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        stopAttempts();
        if (operation instanceof Carried && isCancelled()) {
            reportEnd(new CancellationException("The caller cancelled the retried call"));
        }
        return cancelled;
    }

    /** Completing the future from outside (e.g. {@code orTimeout}) also stops the retries. */
    @Override
    public boolean complete(T value) {
        boolean completed = super.complete(value);
        if (completed) {
            stopAttempts();
            reportEnd(null);
        }
        return completed;
    }

    /** Completing the future from outside (e.g. {@code orTimeout}) also stops the retries. */
    @Override
    public boolean completeExceptionally(Throwable error) {
        boolean completed = super.completeExceptionally(error);
        if (completed) {
            stopAttempts();
            reportEnd(error);
        }
        return completed;
    }

    private void attemptSucceeded(T value) {
        if (super.complete(value)) {
            retrier.events().completed(attempts == 1 ? RetryOutcome.SUCCESS_WITHOUT_RETRY
                    : RetryOutcome.SUCCESS_WITH_RETRY, attempts, null);
            reportEnd(null);
        }
    }

    /** Tells the captured context, once, that the call ended (a cancel may race with a completion). */
    private void reportEnd(Throwable failure) {
        Object held = operation;
        if (held instanceof Carried) {
            ((Carried) held).ended(failure);
        }
    }

    private void attemptFailed(Throwable thrown) {
        if (isDone()) {
            return; // the caller stopped the call: no further attempt and no events
        }
        Throwable error = RetryRules.unwrap(thrown);
        long delayNanos = retrier.nextDelayNanos(error, attempts);
        if (delayNanos < 0) {
            finishExceptionally(error, delayNanos);
            return;
        }
        retrier.events().retryScheduled(attempts, error, delayNanos);
        if (delayNanos == 0) {
            // Nothing to wait for: a timer task and an executor hand-off would only add two thread hops.
            startNextAttempt();
            return;
        }
        PendingDelay delay = new PendingDelay(error);
        // Published before scheduling, so it can never overwrite the stage of the attempt that follows.
        inProgress = delay;
        if (isDone()) {
            return;
        }
        try {
            delay.schedule(delayNanos);
        } catch (Throwable rejected) {
            rejected.addSuppressed(error);
            finishExceptionally(rejected, Retrier.STOP);
        }
    }

    private void finishExceptionally(Throwable error, long decision) {
        if (super.completeExceptionally(error)) {
            retrier.reportFailure(error, attempts, decision);
            reportEnd(error);
        }
    }

    private void stopAttempts() {
        Object current = inProgress;
        if (current instanceof AsyncRetry.PendingDelay) {
            ((PendingDelay) current).cancel();
        } else if (current != null) {
            cancelAttempt((CompletionStage<?>) current);
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
     * The wait before one retry after a non-zero delay. Its task runs on the scheduler's thread and
     * only hands the next attempt to the executor.
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
            ContextCarrier.Captured context = context();
            if (context == null) {
                handOff(AsyncRetry.this::startNextAttempt);
                return;
            }
            try (ContextCarrier.Scope scope = context.open()) { // for a refusal, which completes the caller here
                handOff(() -> {
                    try (ContextCarrier.Scope attemptScope = context.open()) {
                        startNextAttempt();
                    }
                });
            }
        }

        private void handOff(Runnable nextAttempt) {
            try {
                retrier.executor().execute(nextAttempt);
            } catch (Throwable rejected) {
                rejected.addSuppressed(lastError);
                finishExceptionally(rejected, Retrier.STOP);
            }
        }
    }

    /** The operation with the caller's context. */
    private static final class Carried extends CallContext {

        private static final long serialVersionUID = 1L;

        final transient Supplier<?> operation;

        Carried(Supplier<?> operation, ContextCarrier.Captured context) {
            super(context);
            this.operation = operation;
        }
    }
}
