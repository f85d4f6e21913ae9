package dev.dike.limit;

import java.util.concurrent.CancellationException;

import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * The ticket of one subscription made through {@link ReactorLimit}: {@link #permit()} completes
 * empty once a permit is held, or fails with {@link TooManyCallsException}. The subscription ends
 * the ticket with {@link #close()} on termination or cancellation, whichever state it is in, so a
 * grant that races with a cancellation gives its permit straight back.
 */
final class ReactiveTicket extends Ticket {

    /** The failure reported for a cancelled subscription; never signalled. */
    private static final CancellationException CANCELLED = new CancellationException("subscription cancelled");

    /** Set before the ticket is admitted; the queue publishes it to the granting thread. */
    private MonoSink<Void> sink;
    /** The subscriber went away: a late rejection is not signalled, so Reactor does not log it as dropped. */
    private volatile boolean cancelled;

    ReactiveTicket(JobLimiter limiter) {
        super(limiter);
    }

    /** The publisher failed: the completion event reports it, unless the permit was never held. */
    void failed(Throwable error) {
        failure = error;
    }

    /** The subscriber cancelled: the completion event reports a cancellation. */
    void cancelled() {
        failure = CANCELLED;
    }

    /** @return a {@code Mono} that asks for the permit when subscribed */
    Mono<Void> permit() {
        return Mono.create(newSink -> {
            sink = newSink;
            newSink.onCancel(() -> cancelled = true);
            limiter.admit(this);
        });
    }

    @Override
    void onPermit(boolean handedOver) {
        MonoSink<Void> granted = sink;
        if (handedOver) {
            // The subscriber continues on the executor, never on the releasing thread's stack.
            limiter.handOff(inCallerContext(granted::success), refused -> {
                releasePermit();
                signal(refused);
            });
        } else {
            granted.success();
        }
    }

    @Override
    void onRejected(RuntimeException rejection, boolean fromTimer) {
        if (fromTimer) {
            limiter.handOff(inCallerContext(() -> signal(rejection)), refused -> signal(rejection));
        } else {
            signal(rejection);
        }
    }

    private void signal(Throwable error) {
        if (!cancelled) {
            sink.error(error);
        }
    }
}
