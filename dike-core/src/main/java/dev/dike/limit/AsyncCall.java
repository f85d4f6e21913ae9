package dev.dike.limit;

import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * One call of {@link JobLimiter#executeAsync}: its ticket, the operation to start under the permit,
 * and the future returned to the caller. The permit is tied to the operation's own future: it is
 * released exactly once, when that future completes, and always before the caller's future does.
 *
 * <p>The caller may end the call by completing its future in any way, not only by cancelling it
 * ({@code complete}, {@code completeExceptionally}, {@code orTimeout}, {@code completeOnTimeout},
 * {@code completeAsync}; only the {@code obtrude} methods, meant for error recovery, go unnoticed).
 * Each ends it like a cancel: a waiting call leaves the queue, so that it is neither granted nor
 * counted; a call whose permit is on its way releases it without starting; a running operation's
 * future is cancelled, and its completion releases the permit. The limiter completes the future
 * through {@link Result#succeed} and {@link Result#fail}, which bypass these hooks.
 *
 * @param <T> the result type
 */
final class AsyncCall<T> extends Ticket implements Runnable, BiConsumer<Object, Throwable> {

    private final Supplier<? extends CompletionStage<? extends T>> operation;
    private final Result result = new Result();
    /** The operation's future, once started; read by a cancellation racing with the start. */
    private volatile CompletionStage<? extends T> started;
    /** Set when the caller cancelled or completed its future, so that a racing start sees it. */
    private volatile boolean cancelRequested;

    AsyncCall(JobLimiter limiter, Supplier<? extends CompletionStage<? extends T>> operation) {
        super(limiter);
        this.operation = operation;
    }

    CompletableFuture<T> result() {
        return result;
    }

    @Override
    void onPermit(boolean handedOver) {
        if (handedOver) {
            limiter.handOff(inCallerContext(this), refused -> accept(null, refused));
        } else {
            start();
        }
    }

    @Override
    void onRejected(RuntimeException rejection, boolean fromTimer) {
        if (fromTimer) {
            // Completing the caller's future runs its continuations: never on the timer thread.
            limiter.handOff(inCallerContext(() -> result.fail(rejection)), refused -> result.fail(rejection));
        } else {
            result.fail(rejection);
        }
    }

    /** Starts an operation whose permit was handed over; runs on the limiter's executor. */
    @Override
    public void run() {
        start();
    }

    private void start() {
        if (cancelRequested || result.isDone()) {
            failure = CANCELLED;
            releasePermit(); // cancelled while its permit was on the way: never start it
            return;
        }
        CompletionStage<? extends T> stage;
        try {
            stage = operation.get();
        } catch (Throwable thrown) {
            accept(null, thrown);
            return;
        }
        follow(stage);
    }

    /**
     * Takes over an operation that {@link JobLimiter#executeAsync} started under a permit it took
     * itself, before this call existed: the permit now belongs to this call.
     */
    void followStarted(CompletionStage<? extends T> stage) {
        startHolding(); // a new ticket: NEW to HOLDING always succeeds
        follow(stage);
    }

    /** Releases the permit when the operation's stage completes; cancels it if the caller gave up meanwhile. */
    private void follow(CompletionStage<? extends T> stage) {
        if (stage == null) {
            accept(null, nullStage(limiter.name()));
            return;
        }
        started = stage;
        // Write-then-read on both sides: either this start sees the cancel, or the cancel sees the stage.
        if (cancelRequested) {
            cancel(stage); // cancelled while the operation was starting
        }
        stage.whenComplete(this);
    }

    /** The operation's future completed (or the operation could not start): release, then tell the caller. */
    @Override
    @SuppressWarnings("unchecked")
    public void accept(Object value, Throwable error) {
        failure = error;
        releasePermit();
        if (error == null) {
            result.succeed((T) value);
        } else {
            result.fail(unwrap(error));
        }
    }

    /** Leaves the queue if the call still waits for a permit; it then never gets one. */
    private boolean leaveQueue() {
        if (withdraw()) {
            limiter.abandon(this);
            return true;
        }
        return false;
    }

    /** The caller is done with a call that is no longer waiting: it must not start, or must stop. */
    private void stopOperation() {
        cancelRequested = true;
        CompletionStage<? extends T> stage = started;
        if (stage != null) {
            cancel(stage);
        }
        // Not started yet: start() sees the flag and releases the permit, or follow() cancels the stage.
    }

    private static void cancel(CompletionStage<?> stage) {
        try {
            stage.toCompletableFuture().cancel(false);
        } catch (UnsupportedOperationException notCancellable) {
            // The permit then stays held until the operation completes by itself.
        }
    }

    /** The failure reported for a call cancelled before its operation started; never thrown. */
    private static final CancellationException CANCELLED = new CancellationException("cancelled before it started");

    static NullPointerException nullStage(String limiterName) {
        return new NullPointerException(
                "The operation limited by " + limiterName + " returned null instead of a CompletionStage");
    }

    /**
     * @return the stage as a future if it has already succeeded, else {@code null}. A succeeded future
     *         can be handed to the caller as it is: completing or cancelling it does nothing any more,
     *         and the caller gets what an undecorated call would have returned
     */
    @SuppressWarnings("unchecked") // read-only from here on: a future of a subtype is a future of T
    static <T> CompletableFuture<T> succeededAlready(CompletionStage<? extends T> stage) {
        if (stage instanceof CompletableFuture) {
            // toCompletableFuture() is the future itself, or a full view of a minimal stage (whose isDone() throws).
            CompletableFuture<? extends T> future = stage.toCompletableFuture();
            if (future.isDone() && !future.isCompletedExceptionally()) {
                return (CompletableFuture<T>) future;
            }
        }
        return null;
    }

    static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    /**
     * The caller's future: cancelling it withdraws the wait or cancels the operation first, so that
     * a cancelled operation's permit is free before the caller's continuations run. Completing it
     * withdraws the wait first too; a running operation is cancelled only once the caller's value
     * is in, since its cancellation would otherwise complete this future with a
     * {@code CancellationException} first.
     */
    private final class Result extends CompletableFuture<T> {

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            if (isDone()) {
                return false;
            }
            if (!leaveQueue()) {
                stopOperation();
            }
            // Cancelling the operation's future may already have completed this one with its CancellationException.
            return super.cancel(mayInterruptIfRunning) || isCancelled();
        }

        @Override
        public boolean complete(T value) {
            return endedByCaller(() -> super.complete(value));
        }

        @Override
        public boolean completeExceptionally(Throwable error) {
            return endedByCaller(() -> super.completeExceptionally(error));
        }

        /** The JDK's version completes the future past {@link #complete}: this one goes through it. */
        @Override
        public CompletableFuture<T> completeAsync(Supplier<? extends T> supplier, Executor executor) {
            Objects.requireNonNull(supplier, "supplier");
            Objects.requireNonNull(executor, "executor");
            executor.execute(() -> {
                if (isDone()) {
                    return;
                }
                T value;
                try {
                    value = supplier.get();
                } catch (Throwable thrown) {
                    completeExceptionally(new CompletionException(thrown));
                    return;
                }
                complete(value);
            });
            return this;
        }

        private boolean endedByCaller(BooleanSupplier completion) {
            if (isDone()) {
                return false;
            }
            boolean withdrawn = leaveQueue();
            boolean completed = completion.getAsBoolean();
            if (completed && !withdrawn) {
                stopOperation();
            }
            return completed;
        }

        /** Completes with the operation's value, as the limiter (not the caller) does. */
        void succeed(T value) {
            super.complete(value);
        }

        /** Completes with a failure or rejection, as the limiter (not the caller) does. */
        void fail(Throwable error) {
            super.completeExceptionally(error);
        }
    }
}
