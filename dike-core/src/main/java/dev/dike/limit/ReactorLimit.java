package dev.dike.limit;

import java.util.function.Supplier;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Applies a {@link JobLimiter} to Reactor publishers. Needs {@code reactor-core} on the class path.
 *
 * <p>The permit is taken at subscription, not at assembly, and released exactly once when the
 * publisher completes, fails or is cancelled. A rejected subscription receives
 * {@link TooManyCallsException} as its error signal. Waiting for a permit never blocks a thread.
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
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * @param limiter   the limiter
     * @param operation supplies the publisher; called once per subscription, under a permit
     * @param <T>       the element type
     * @return a {@code Flux} that takes a permit when subscribed
     */
    public static <T> Flux<T> flux(JobLimiter limiter, Supplier<? extends Flux<? extends T>> operation) {
        throw new UnsupportedOperationException("not implemented yet");
    }
}
