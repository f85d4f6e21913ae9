package dev.dike.limit;

import java.util.Objects;
import java.util.function.Supplier;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;

/**
 * Applies a {@link JobLimiter} to Reactor publishers. Needs {@code reactor-core} on the class path.
 *
 * <p>The permit is taken at subscription, not at assembly, and released exactly once when the
 * publisher completes, fails or is cancelled, before the terminal signal reaches the subscriber (a
 * subscriber that subscribes the next limited publisher from {@code onComplete} is never rejected by
 * itself). A {@code Mono}'s value is its termination. A rejected subscription receives
 * {@link TooManyCallsException} as its error signal; a subscription that must wait while the
 * limiter's scheduler refuses to time the wait receives a
 * {@link java.util.concurrent.RejectedExecutionException} and never gets a permit; a supplier that
 * throws or returns {@code null} releases the permit and signals the error.
 *
 * <p>With a positive {@link JobLimiter#maxWait()}, a subscription that finds no free permit waits
 * without blocking any thread, in the limiter's FIFO queue; when it gets a permit, the supplier is
 * called on the limiter's executor. Cancelling the subscription while it waits withdraws it; if the
 * permit was granted at that very moment, it is given back, never leaked.
 */
public final class ReactorLimit {

    private ReactorLimit() {
    }

    /**
     * @param limiter   the limiter
     * @param operation supplies the publisher; called once per subscription, under a permit
     * @param <T>       the element type
     * @return a {@code Mono} that takes a permit when subscribed
     */
    public static <T> Mono<T> mono(JobLimiter limiter, Supplier<? extends Mono<? extends T>> operation) {
        Objects.requireNonNull(limiter, "limiter");
        Objects.requireNonNull(operation, "operation");
        return Mono.defer(() -> {
            ReactiveTicket ticket = new ReactiveTicket(limiter);
            // doOnTerminate runs before the signal goes downstream: the permit is free when the subscriber sees it.
            // doFinally runs after a cancellation reached the operation: it keeps the permit until it is cancelled.
            return ticket.permit()
                    // The body runs under the permit: a disposal meanwhile releases it only once the body returned.
                    .then(Mono.<T>defer(() -> ticket.callHolding(operation, Mono.empty())))
                    .doOnError(ticket::failed)
                    .doOnTerminate(ticket::close)
                    .doFinally(signal -> closeOnCancel(signal, ticket));
        });
    }

    /**
     * @param limiter   the limiter
     * @param operation supplies the publisher; called once per subscription, under a permit
     * @param <T>       the element type
     * @return a {@code Flux} that takes a permit when subscribed
     */
    public static <T> Flux<T> flux(JobLimiter limiter, Supplier<? extends Flux<? extends T>> operation) {
        Objects.requireNonNull(limiter, "limiter");
        Objects.requireNonNull(operation, "operation");
        return Flux.defer(() -> {
            ReactiveTicket ticket = new ReactiveTicket(limiter);
            return ticket.permit()
                    .thenMany(Flux.defer(() -> ReactorLimit.<T>covariant(ticket.callHolding(operation, Flux.empty()))))
                    .doOnError(ticket::failed)
                    .doOnTerminate(ticket::close)
                    .doFinally(signal -> closeOnCancel(signal, ticket));
        });
    }

    private static void closeOnCancel(SignalType signal, ReactiveTicket ticket) {
        if (signal == SignalType.CANCEL) {
            ticket.cancelled();
            ticket.close();
        }
    }

    /** A {@code Flux} only produces elements, so a {@code Flux<? extends T>} is a {@code Flux<T>}. */
    @SuppressWarnings("unchecked")
    private static <T> Flux<T> covariant(Flux<? extends T> flux) {
        return (Flux<T>) flux;
    }
}
