package dev.dike.retry;

import java.util.function.Supplier;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Applies a {@link Retrier} to Reactor publishers. Needs {@code reactor-core} on the class path.
 *
 * <p>Each attempt calls the supplier again (so a publisher built eagerly by the method is rebuilt)
 * and subscribes to what it returns. Delays run on the retrier's {@link dev.dike.time.DelayScheduler};
 * disposing the subscription stops the retries and cancels a pending delay. The subscriber gets the
 * original error of the last attempt. A {@code Flux} that fails after emitting elements is retried
 * from the start, so its elements may be seen again.
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
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * @param retrier   the retrier
     * @param operation supplies one attempt
     * @param <T>       the element type
     * @return a {@code Flux} that runs the attempts when subscribed
     */
    public static <T> Flux<T> flux(Retrier retrier, Supplier<? extends Flux<? extends T>> operation) {
        throw new UnsupportedOperationException("not implemented yet");
    }
}
