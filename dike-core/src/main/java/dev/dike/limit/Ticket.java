package dev.dike.limit;

import dev.dike.context.ContextCarrier;
import dev.dike.time.DelayScheduler.ScheduledTask;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CancellationException;
import java.util.function.Supplier;

/**
 * One call's claim on a permit of a {@link JobLimiter}: not yet admitted, waiting in the limiter's
 * queue, holding a permit, or finished. Every transition is one compare-and-set, so a grant racing
 * with a timeout or a cancellation has exactly one winner: a permit is never lost, never handed to a
 * call that gave up, and never released twice. While a call's body is being called under its permit
 * ({@link #callHolding}), a release is deferred until the body has returned, so no body ever runs
 * without a permit.
 */
abstract class Ticket {

    private static final int NEW = 0;
    private static final int WAITING = 1;
    private static final int HOLDING = 2;
    private static final int RELEASED = 3;
    private static final int WITHDRAWN = 4;
    private static final int REJECTED = 5;
    /** Holding, and the body is being called: a release now is left to the calling thread. */
    private static final int CALLING = 6;
    /** The body is being called and the call was ended meanwhile: the calling thread releases. */
    private static final int RELEASE_AFTER_CALL = 7;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Ticket.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final JobLimiter limiter;

    /** When the call joined the queue, on the limiter's clock; published by the queue itself. */
    long enqueuedNanos;

    /**
     * When the call got its permit, for the completion event; written before the call starts, so the
     * thread that ends it sees it (through the executor's hand-off or the operation's own future).
     */
    long grantedNanos;

    /**
     * What the call's result failed with, {@code null} if it succeeded; written by the thread that
     * ends the call before it releases the permit, and published to the releasing thread by the
     * state's compare-and-set.
     */
    Throwable failure;

    /**
     * The waiting caller's context, captured on its thread before it started waiting and published by
     * the state's compare-and-set; {@code null} without a carrier or when the call never waited.
     */
    ContextCarrier.Captured context;

    private volatile int state = NEW;
    private volatile ScheduledTask timeout;

    Ticket(JobLimiter limiter) {
        this.limiter = limiter;
    }

    /**
     * The call got a permit and must now start. When {@code handedOver}, the permit comes from
     * another call's release or a limit change: the call must start on the limiter's executor, never
     * run user code on the current thread.
     */
    abstract void onPermit(boolean handedOver);

    /**
     * The call was rejected: {@link TooManyCallsException}, or the scheduler's refusal to time the
     * wait. When {@code fromTimer}, this runs on the scheduler's thread and must hand the caller's
     * continuation off to the limiter's executor.
     */
    abstract void onRejected(RuntimeException rejection, boolean fromTimer);

    final boolean startHolding() {
        return STATE.compareAndSet(this, NEW, HOLDING);
    }

    final boolean startWaiting() {
        return STATE.compareAndSet(this, NEW, WAITING);
    }

    final void markRejected() {
        STATE.compareAndSet(this, NEW, REJECTED);
    }

    /** Called by the limiter, holding a permit for this call; false if the call gave up waiting. */
    final boolean grant() {
        return STATE.compareAndSet(this, WAITING, HOLDING);
    }

    /** Called by the limiter when the wait timed out; false if the call was granted or withdrawn. */
    final boolean expire() {
        return STATE.compareAndSet(this, WAITING, REJECTED);
    }

    /** Gives up the wait; false if the call was granted, rejected or finished in the meantime. */
    final boolean withdraw() {
        return STATE.compareAndSet(this, WAITING, WITHDRAWN);
    }

    /**
     * Calls the body under the permit this call holds. If the call has already ended (e.g. the
     * subscriber went away while the permit was on its way), the body is not called and
     * {@code whenEnded} is returned.
     */
    final <P> P callHolding(Supplier<? extends P> body, P whenEnded) {
        if (!STATE.compareAndSet(this, HOLDING, CALLING)) {
            return whenEnded; // the permit was released already
        }
        try {
            return body.get();
        } finally {
            if (!STATE.compareAndSet(this, CALLING, HOLDING)) {
                // Ended while the body ran (RELEASE_AFTER_CALL): the release was left to this thread.
                state = RELEASED;
                released();
            }
        }
    }

    /** Releases the permit held by this call; does nothing if it holds none (any more). */
    final void releasePermit() {
        while (true) {
            int current = state;
            if (current == HOLDING) {
                if (STATE.compareAndSet(this, HOLDING, RELEASED)) {
                    released();
                    return;
                }
            } else if (current == CALLING) {
                if (STATE.compareAndSet(this, CALLING, RELEASE_AFTER_CALL)) {
                    return; // the thread calling the body releases once it returns
                }
            } else {
                return;
            }
        }
    }

    /** Gives the permit back and reports how the call that held it ended. */
    private void released() {
        limiter.release();
        limiter.completed(grantedNanos, failure);
    }

    /**
     * Ends the claim whatever its state: prevents an admission not yet made, withdraws a waiting
     * call, or releases a held permit. Idempotent.
     */
    final void close() {
        while (true) {
            int current = state;
            if (current == NEW) {
                if (STATE.compareAndSet(this, NEW, WITHDRAWN)) {
                    return;
                }
            } else if (current == WAITING) {
                if (withdraw()) {
                    limiter.abandon(this);
                    return;
                }
            } else {
                releasePermit();
                return;
            }
        }
    }

    /** Tells the captured context, if any, that the wait ended; called once, by the winner of the wait's end. */
    final void waitEnded(Throwable failure) {
        ContextCarrier.Captured captured = context;
        if (captured != null) {
            captured.done(failure);
        }
    }

    /** The wait ended because the caller gave up (cancelled, disposed, interrupted). */
    final void waitAbandoned() {
        if (context != null) {
            waitEnded(gaveUp());
        }
    }

    /** @return the end reported to a captured context when the caller gave up waiting */
    final CancellationException gaveUp() {
        return new CancellationException("Gave up waiting for a permit of limiter " + limiter.name());
    }

    /** {@code task}, run in the waiting caller's context if one was captured. */
    final Runnable inCallerContext(Runnable task) {
        ContextCarrier.Captured captured = context;
        if (captured == null) {
            return task;
        }
        return () -> {
            try (ContextCarrier.Scope scope = captured.open()) {
                task.run();
            }
        };
    }

    final boolean isWaiting() {
        return state == WAITING;
    }

    /** Remembers the timeout task; cancels it at once if the wait already ended. */
    final void watchTimeout(ScheduledTask task) {
        timeout = task;
        // The wait may have ended before the task was stored; whoever ends it also reads the field.
        if (state != WAITING) {
            task.cancel();
        }
    }

    final void cancelTimeout() {
        ScheduledTask task = timeout;
        if (task != null) {
            task.cancel();
        }
    }
}
