package dev.dike.spring.aop;

import dev.dike.limit.JobLimiter;
import dev.dike.retry.Retrier;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What the interceptors need from a reactive library. The interceptors themselves never name Reactor, so they
 * load without it; {@link ReactorAdapter} implements this only when Reactor is on the class path.
 */
interface ReactiveAdapter {

    /**
     * @param retrier the retrier
     * @param attempt calls the method once and returns its {@code Mono}/{@code Flux}
     * @param flux    whether the method returns a {@code Flux}
     * @return a publisher of the declared type that retries on failure
     */
    Object retry(Retrier retrier, MethodCall attempt, boolean flux);

    /**
     * @param limiter the limiter
     * @param call    calls the method once and returns its {@code Mono}/{@code Flux}
     * @param flux    whether the method returns a {@code Flux}
     * @return a publisher of the declared type that holds a permit while subscribed
     */
    Object limit(JobLimiter limiter, MethodCall call, boolean flux);

    /**
     * @param acquire asks for a permit of a cluster limit: a future of the action that releases it
     * @param call    calls the method once and returns its {@code Mono}/{@code Flux}
     * @param flux    whether the method returns a {@code Flux}
     * @return a publisher of the declared type that holds a permit while subscribed
     */
    Object limitCluster(Supplier<CompletableFuture<Runnable>> acquire, MethodCall call, boolean flux);

    /**
     * @param submit  submits the call to its batch; called once per subscription
     * @param convert turns the caller's slice into the declared element type; {@code null} completes
     *                the {@code Mono} empty
     * @return a {@code Mono} of the caller's slice; cancelling it cancels the call
     */
    Object batchCall(Supplier<CompletableFuture<List<Object>>> submit, Function<List<Object>, Object> convert);

    /**
     * @param mono a {@code Mono} returned by a batched method
     * @return a stage completed with its value
     */
    CompletionStage<Object> toStage(Object mono);
}
