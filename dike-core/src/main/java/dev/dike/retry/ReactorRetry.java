package dev.dike.retry;

import java.util.Objects;
import java.util.function.Supplier;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Applies a {@link Retrier} to Reactor publishers. Needs {@code reactor-core} on the class path.
 *
 * <p>Each attempt calls the supplier again (so a publisher built eagerly by the method is rebuilt)
 * and subscribes to what it returns. Delays run on the retrier's {@link dev.dike.time.DelayScheduler};
 * disposing the subscription stops the retries and cancels a pending delay. The subscriber gets the
 * original error of the last attempt, never a Reactor {@code RetryExhaustedException}. A {@code Flux}
 * that fails after emitting elements is retried from the start, so its elements may be seen again.
 *
 * <p>Matching, delays, log lines and listener events are those of {@link Retrier}; each subscription
 * has its own attempt count and reports its end to the listener once (not when disposed). After a
 * non-zero delay, the next attempt is subscribed on the retrier's executor; after a zero delay, at
 * once on the thread that signalled the failure (Reactor's {@code retryWhen} resubscribes in a loop,
 * so attempts that fail synchronously do not nest).
 */
public final class ReactorRetry {

    private ReactorRetry() {
    }

    /**
     * @param retrier   the retrier
     * @param operation supplies one attempt
     * @param <T>       the element type
     * @return a {@code Mono} that runs the attempts when subscribed
     */
    public static <T> Mono<T> mono(Retrier retrier, Supplier<? extends Mono<? extends T>> operation) {
        Objects.requireNonNull(retrier, "retrier");
        Objects.requireNonNull(operation, "operation");
        @SuppressWarnings("unchecked") // a Mono of a subtype of T only ever emits Ts
        Supplier<Mono<T>> attempt = (Supplier<Mono<T>>) (Supplier<?>) operation;
        return Mono.defer(() -> {
            ReactiveRetry subscription = new ReactiveRetry(retrier);
            Mono<T> attempts = Mono.defer(() -> {
                Mono<T> publisher = subscription.nextAttempt(attempt, Mono.never());
                return publisher != null ? publisher : Mono.error(subscription.nullAttempt("Mono"));
            });
            return attempts.retryWhen(subscription.retrySpec())
                    .doOnSuccess(value -> subscription.succeeded())
                    .doOnError(subscription::failed)
                    .doOnCancel(subscription::cancelled);
        });
    }

    /**
     * @param retrier   the retrier
     * @param operation supplies one attempt
     * @param <T>       the element type
     * @return a {@code Flux} that runs the attempts when subscribed
     */
    public static <T> Flux<T> flux(Retrier retrier, Supplier<? extends Flux<? extends T>> operation) {
        Objects.requireNonNull(retrier, "retrier");
        Objects.requireNonNull(operation, "operation");
        @SuppressWarnings("unchecked") // a Flux of a subtype of T only ever emits Ts
        Supplier<Flux<T>> attempt = (Supplier<Flux<T>>) (Supplier<?>) operation;
        return Flux.defer(() -> {
            ReactiveRetry subscription = new ReactiveRetry(retrier);
            Flux<T> attempts = Flux.defer(() -> {
                Flux<T> publisher = subscription.nextAttempt(attempt, Flux.never());
                return publisher != null ? publisher : Flux.error(subscription.nullAttempt("Flux"));
            });
            return attempts.retryWhen(subscription.retrySpec())
                    .doOnComplete(subscription::succeeded)
                    .doOnError(subscription::failed)
                    .doOnCancel(subscription::cancelled);
        });
    }
}
