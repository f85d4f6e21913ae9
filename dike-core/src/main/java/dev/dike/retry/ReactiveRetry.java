package dev.dike.retry;

import dev.dike.context.ContextCarrier;
import dev.dike.time.DelayScheduler.ScheduledTask;

import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.util.retry.Retry;

/**
 * One subscription to a publisher decorated by {@link ReactorRetry}: counts its attempts, decides
 * after each failure and reports the outcome once. Reactive Streams serializes the signals of one
 * subscription, and attempts never overlap, so the counter needs no synchronization beyond the
 * volatile write that publishes it across the executor hand-off. After a zero delay the next attempt
 * is subscribed at once, on the thread that signalled the failure.
 */
final class ReactiveRetry {

    /** The trigger of a zero-delay retry: emits at once, so retryWhen resubscribes on this thread. */
    private static final Mono<Long> NO_DELAY = Mono.just(0L);

    private final Retrier retrier;
    /** The subscriber's context, captured at subscription; {@code null} without a carrier. */
    private final CallContext context;
    private volatile int attempts;
    /** The decision that ended the call: one of the negative values of {@link Retrier#nextDelayNanos}. */
    private volatile long lastDecision = Retrier.STOP;
    // Reactor propagates cancellation too, but a failure racing with dispose() can reach the delay
    // operator after its cancel went by; these two fields guarantee nothing stays scheduled.
    private volatile boolean cancelled;
    private volatile ScheduledTask pendingDelay;

    ReactiveRetry(Retrier retrier) {
        this.retrier = retrier;
        ContextCarrier carrier = retrier.contextCarrier();
        this.context = carrier == null ? null : new CallContext(carrier.capture());
    }

    /**
     * Counts and starts the next attempt: returns what the operation returned, possibly {@code null},
     * or {@code whenCancelled} without calling the operation once the subscriber has cancelled.
     *
     * <p>{@code whenCancelled} must never signal (a {@code never()} publisher): the flag is set by the
     * cancel hook before the cancel travels up to {@code retryWhen}, so a failure on another thread may
     * resubscribe in that gap; a publisher that completed would end the call as a success after
     * attempts that all failed. The cancel that follows disposes it.
     */
    <P extends Publisher<?>> P nextAttempt(Supplier<? extends P> operation, P whenCancelled) {
        if (cancelled) {
            return whenCancelled;
        }
        if (attempts++ == 0) {
            retrier.callStarted();
        }
        if (context == null) {
            return operation.get();
        }
        try (ContextCarrier.Scope scope = context.captured.open()) {
            return operation.get();
        }
    }

    /** The subscriber cancelled: no further attempt, and a pending delay is unscheduled. */
    void cancelled() {
        if (context != null) {
            context.ended(new CancellationException("The subscriber cancelled the retried call"));
        }
        cancelled = true;
        ScheduledTask delay = pendingDelay;
        if (delay != null) {
            delay.cancel();
        }
    }

    /** The failure of an attempt whose operation returned {@code null}. */
    NullPointerException nullAttempt(String kind) {
        return retrier.nullAttempt(kind);
    }

    /** Turns each failure into a delay followed by a resubscription, or into the final error. */
    Retry retrySpec() {
        return Retry.from(failures -> failures.concatMap(signal -> afterFailure(signal.failure())));
    }

    void succeeded() {
        int made = attempts;
        RetryOutcome outcome = made == 1 ? RetryOutcome.SUCCESS_WITHOUT_RETRY : RetryOutcome.SUCCESS_WITH_RETRY;
        if (context == null) {
            retrier.events().completed(outcome, made, null);
            return;
        }
        try (ContextCarrier.Scope scope = context.captured.open()) {
            retrier.events().completed(outcome, made, null);
        }
        context.ended(null);
    }

    void failed(Throwable error) {
        int made = attempts;
        if (context == null) {
            retrier.reportFailure(error, made, lastDecision);
            return;
        }
        try (ContextCarrier.Scope scope = context.captured.open()) {
            retrier.reportFailure(error, made, lastDecision);
        }
        context.ended(error);
    }

    private Mono<Long> afterFailure(Throwable failure) {
        if (context == null) {
            return decide(failure);
        }
        // On the thread that signalled the failure: the WARN line and the events in the subscriber's context.
        try (ContextCarrier.Scope scope = context.captured.open()) {
            return decide(failure);
        }
    }

    private Mono<Long> decide(Throwable failure) {
        Throwable error = RetryRules.unwrap(failure);
        int failedAttempt = attempts;
        long delayNanos = retrier.nextDelayNanos(error, failedAttempt);
        if (delayNanos < 0) {
            lastDecision = delayNanos;
            return Mono.error(error); // retryWhen passes it on as is: the subscriber sees the original
        }
        retrier.events().retryScheduled(failedAttempt, error, delayNanos);
        if (delayNanos == 0) {
            // Nothing to wait for: skip the timer and executor hops. retryWhen resubscribes in its own
            // drain loop, so attempts that fail synchronously iterate there instead of nesting.
            return NO_DELAY;
        }
        return Mono.create(sink -> schedule(sink, delayNanos));
    }

    /**
     * Emits once a non-zero delay has elapsed, on the executor, so the next attempt never runs on the
     * timer thread. Cancelling (disposing the subscription) removes the scheduled task.
     */
    private void schedule(MonoSink<Long> sink, long delayNanos) {
        ScheduledTask task = retrier.scheduler().schedule(() -> {
            try {
                retrier.executor().execute(context == null ? () -> sink.success(delayNanos) : () -> {
                    try (ContextCarrier.Scope scope = context.captured.open()) {
                        sink.success(delayNanos); // resubscribes here: the next attempt in the subscriber's context
                    }
                });
            } catch (Throwable rejected) {
                sink.error(rejected);
            }
        }, delayNanos, TimeUnit.NANOSECONDS);
        pendingDelay = task;
        sink.onCancel(task::cancel);
        if (cancelled) {
            task.cancel();
        }
    }
}
