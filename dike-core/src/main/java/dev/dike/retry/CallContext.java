package dev.dike.retry;

import dev.dike.context.ContextCarrier;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One retried call's captured context, and whether the call's end was reported to it (the inherited
 * flag: a cancel may race with a completion, so whoever sets it first reports). Allocated only when
 * the retrier has a {@link ContextCarrier}; a call without one holds no reference to it.
 */
class CallContext extends AtomicBoolean {

    private static final long serialVersionUID = 1L;

    final transient ContextCarrier.Captured captured;

    CallContext(ContextCarrier.Captured captured) {
        this.captured = captured;
    }

    /** Tells the captured context, once, that the call ended ({@code failure} {@code null} on success). */
    final void ended(Throwable failure) {
        if (compareAndSet(false, true)) {
            captured.done(failure);
        }
    }
}
