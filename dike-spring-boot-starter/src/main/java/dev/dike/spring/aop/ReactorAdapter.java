package dev.dike.spring.aop;

import dev.dike.limit.JobLimiter;
import dev.dike.limit.ReactorLimit;
import dev.dike.retry.Retrier;
import dev.dike.retry.ReactorRetry;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** {@link ReactiveAdapter} for Project Reactor; only instantiated when Reactor is on the class path. */
final class ReactorAdapter implements ReactiveAdapter {

    @Override
    public Object retry(Retrier retrier, MethodCall attempt, boolean flux) {
        return flux ? ReactorRetry.flux(retrier, () -> flux(attempt)) : ReactorRetry.mono(retrier, () -> mono(attempt));
    }

    @Override
    public Object limit(JobLimiter limiter, MethodCall call, boolean flux) {
        return flux ? ReactorLimit.flux(limiter, () -> flux(call)) : ReactorLimit.mono(limiter, () -> mono(call));
    }

    @Override
    public Object limitCluster(Supplier<CompletableFuture<Runnable>> acquire, MethodCall call, boolean flux) {
        // fromFuture(supplier) asks at subscription and cancels the request (releasing a late grant) on cancel;
        // a permit that arrives just as the subscriber cancels is discarded by fromFuture: release it then.
        Mono<Runnable> permit = Mono.fromFuture(acquire).doOnDiscard(Runnable.class, Runnable::run);
        if (flux) {
            return Flux.usingWhen(permit, held -> flux(call), held -> Mono.fromRunnable(held));
        }
        return Mono.usingWhen(permit, held -> mono(call), held -> Mono.fromRunnable(held));
    }

    @Override
    public Object batchCall(Supplier<CompletableFuture<List<Object>>> submit, Function<List<Object>, Object> convert) {
        // fromFuture(supplier) submits at subscription and cancels the future when the subscriber cancels.
        // mapNotNull: a single-item call whose key the bulk method's Map lacks completes empty.
        return Mono.fromFuture(submit).mapNotNull(convert);
    }

    @Override
    public CompletionStage<Object> toStage(Object mono) {
        @SuppressWarnings("unchecked")
        Mono<Object> typed = (Mono<Object>) mono;
        return typed.toFuture();
    }

    // A method that throws or returns null fails the attempt like an error signal would.
    @SuppressWarnings("unchecked")
    private static Mono<Object> mono(MethodCall call) {
        try {
            Object result = call.proceed();
            return result != null ? (Mono<Object>) result : Mono.error(new NullPointerException("method returned null instead of a Mono"));
        } catch (Throwable t) {
            return Mono.error(t);
        }
    }

    @SuppressWarnings("unchecked")
    private static Flux<Object> flux(MethodCall call) {
        try {
            Object result = call.proceed();
            return result != null ? (Flux<Object>) result : Flux.error(new NullPointerException("method returned null instead of a Flux"));
        } catch (Throwable t) {
            return Flux.error(t);
        }
    }
}
