package dev.dike.retry;

import static org.assertj.core.api.Assertions.assertThat;


import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class ReactorRetryTest extends RetryFixture {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    ReactorRetryTest() {
        super("reactive");
    }

    /** Like a method that builds its Mono eagerly: the error exists before anyone subscribes. */
    private static Mono<String> eagerMono(int failures, AtomicInteger calls) {
        int call = calls.incrementAndGet();
        return call <= failures ? Mono.error(new IllegalStateException("fail " + call)) : Mono.just("ok " + call);
    }

    @Test
    void eagerlyBuiltMonoIsRebuiltForEveryAttempt() {
        AtomicInteger calls = new AtomicInteger();
        Mono<String> mono = ReactorRetry.mono(retrier(RetryConfig.builder().attempts(3)), () -> eagerMono(2, calls));

        assertThat(calls).hasValue(0); // nothing happens before subscription
        StepVerifier.create(mono).then(scheduler::runDueTasks).expectNext("ok 3").expectComplete().verify(TIMEOUT);

        assertThat(calls).hasValue(3);
        assertThat(log.warnings()).containsExactly(
                "Caught exception java.lang.IllegalStateException: fail 1. Retrying in 0s ...",
                "Caught exception java.lang.IllegalStateException: fail 2. Retrying in 0s ...");
        assertThat(listener.events).last().isEqualTo("completed reactive SUCCESS_WITH_RETRY after 3");
    }

    @Test
    void delaysRunOnTheRetriersScheduler() {
        AtomicInteger calls = new AtomicInteger();
        Mono<String> mono = ReactorRetry.mono(retrier(RetryConfig.builder().attempts(4)
                .delay(Duration.ofMillis(10)).backoff(2)), () -> eagerMono(3, calls));

        StepVerifier.create(mono)
                .then(() -> assertThat(scheduler.pendingDelaysNanos()).containsExactly(TimeUnit.MILLISECONDS.toNanos(10)))
                .then(() -> scheduler.advance(10, TimeUnit.MILLISECONDS))
                .then(() -> assertThat(scheduler.pendingDelaysNanos()).containsExactly(TimeUnit.MILLISECONDS.toNanos(20)))
                .then(() -> scheduler.advance(20, TimeUnit.MILLISECONDS))
                .then(() -> scheduler.advance(40, TimeUnit.MILLISECONDS))
                .expectNext("ok 4")
                .expectComplete().verify(TIMEOUT);
        assertThat(log.warnings()).containsExactly(
                "Caught exception java.lang.IllegalStateException: fail 1. Retrying in 0.01s ...",
                "Caught exception java.lang.IllegalStateException: fail 2. Retrying in 0.02s ...",
                "Caught exception java.lang.IllegalStateException: fail 3. Retrying in 0.04s ...");
    }

    @Test
    void finalErrorIsTheLastAttemptsOriginalError() {
        List<IllegalStateException> thrown = new ArrayList<>();
        Mono<String> mono = ReactorRetry.mono(retrier(RetryConfig.builder().attempts(3)), () -> {
            IllegalStateException error = new IllegalStateException("attempt " + (thrown.size() + 1));
            thrown.add(error);
            return Mono.error(error);
        });

        StepVerifier.create(mono).then(scheduler::runDueTasks).expectErrorSatisfies(error -> {
            assertThat(error).isSameAs(thrown.get(2));
            assertThat(Exceptions.isRetryExhausted(error)).isFalse();
        }).verify(TIMEOUT);
        assertThat(log.warnings()).hasSize(2);
        assertThat(listener.events).last().isEqualTo("completed reactive FAILURE_WITH_RETRY after 3 with attempt 3");
    }

    @Test
    void wrappedErrorsAreMatchedAndDeliveredUnwrapped() {
        IOException cause = new IOException("io");
        Mono<String> mono = ReactorRetry.mono(retrier(RetryConfig.builder().attempts(2)
                .exceptionTypes(List.of(IOException.class))), () -> Mono.error(new CompletionException(cause)));

        StepVerifier.create(mono).then(scheduler::runDueTasks).expectErrorSatisfies(error -> assertThat(error).isSameAs(cause)).verify(TIMEOUT);
        assertThat(log.warnings()).hasSize(1);
    }

    @Test
    void nonRetryableErrorIsDeliveredAtOnce() {
        AtomicInteger calls = new AtomicInteger();
        Mono<String> mono = ReactorRetry.mono(retrier(RetryConfig.builder()
                .ignoredExceptionTypes(List.of(IllegalStateException.class))), () -> eagerMono(5, calls));

        StepVerifier.create(mono).then(scheduler::runDueTasks).expectErrorMessage("fail 1").verify(TIMEOUT);
        assertThat(calls).hasValue(1);
        assertThat(log.events()).isEmpty();
        assertThat(listener.events).containsExactly("completed reactive IGNORED after 1 with fail 1");
    }

    @Test
    void throwingOrNullOperationCountsAsAFailedAttempt() {
        AtomicInteger calls = new AtomicInteger();
        Mono<String> mono = ReactorRetry.mono(retrier(RetryConfig.builder().attempts(3)), () -> {
            switch (calls.incrementAndGet()) {
                case 1:
                    throw new IllegalStateException("thrown");
                case 2:
                    return null;
                default:
                    return Mono.just("ok");
            }
        });

        StepVerifier.create(mono).then(scheduler::runDueTasks).expectNext("ok").expectComplete().verify(TIMEOUT);
        assertThat(listener.errors.get(1)).isInstanceOf(NullPointerException.class)
                .hasMessage("The operation retried by 'reactive' returned null instead of a Mono");
    }

    @Test
    void fluxIsRetriedFromTheStartWithANewPublisher() {
        AtomicInteger calls = new AtomicInteger();
        Flux<Integer> flux = ReactorRetry.flux(retrier(RetryConfig.builder().attempts(3)), () -> calls.incrementAndGet() < 3
                ? Flux.just(1, 2).concatWith(Flux.error(new IllegalStateException("broken stream")))
                : Flux.just(1, 2, 3));

        StepVerifier.create(flux).then(scheduler::runDueTasks).expectNext(1, 2, 1, 2, 1, 2, 3).expectComplete().verify(TIMEOUT);
        assertThat(calls).hasValue(3);
        assertThat(listener.events).last().isEqualTo("completed reactive SUCCESS_WITH_RETRY after 3");
    }

    @Test
    void fluxNullOperationFailsNamingTheRetrier() {
        Flux<Integer> flux = ReactorRetry.flux(retrier(RetryConfig.builder().attempts(1)), () -> null);

        StepVerifier.create(flux)
                .expectErrorMessage("The operation retried by 'reactive' returned null instead of a Flux").verify(TIMEOUT);
        assertThat(listener.events).containsExactly(
                "completed reactive FAILURE_WITHOUT_RETRY after 1 with "
                        + "The operation retried by 'reactive' returned null instead of a Flux");
    }

    @Test
    void disposingDuringTheDelayCancelsItAndStopsTheRetries() {
        AtomicInteger calls = new AtomicInteger();
        Mono<String> mono = ReactorRetry.mono(retrier(RetryConfig.builder().attempts(5).delay(Duration.ofSeconds(1))),
                () -> eagerMono(5, calls));

        Disposable subscription = mono.subscribe(value -> { }, error -> { });
        assertThat(scheduler.pendingTasks()).isEqualTo(1);
        subscription.dispose();

        assertThat(scheduler.pendingTasks()).isZero();
        scheduler.advance(1, TimeUnit.HOURS);
        assertThat(calls).hasValue(1);
        assertThat(listener.events).containsExactly("retry reactive #1 fail 1 in 1000000000ns");
    }

    @Test
    void stepVerifierCancelStopsTheRetries() {
        AtomicInteger calls = new AtomicInteger();
        Flux<Integer> flux = ReactorRetry.flux(retrier(RetryConfig.builder().attempts(-1).delay(Duration.ofMillis(1))),
                () -> {
                    calls.incrementAndGet();
                    return Flux.error(new IllegalStateException("always"));
                });

        StepVerifier.create(flux)
                .then(() -> scheduler.advance(1, TimeUnit.MILLISECONDS))
                .then(() -> assertThat(calls).hasValue(2))
                .thenCancel()
                .verify(TIMEOUT);

        assertThat(scheduler.pendingTasks()).isZero();
        scheduler.advance(1, TimeUnit.HOURS);
        assertThat(calls).hasValue(2);
    }

    @Test
    void disposingDuringAnAttemptCancelsTheAttempt() {
        AtomicInteger cancelled = new AtomicInteger();
        Mono<String> mono = ReactorRetry.mono(retrier(RetryConfig.builder()),
                () -> Mono.<String>never().doOnCancel(cancelled::incrementAndGet));

        mono.subscribe().dispose();

        assertThat(cancelled).hasValue(1);
        assertThat(listener.events).isEmpty();
    }

    @Test
    void everySubscriptionHasItsOwnAttemptsAndOutcome() {
        AtomicInteger calls = new AtomicInteger();
        Mono<String> mono = ReactorRetry.mono(retrier(RetryConfig.builder().attempts(2)), () -> eagerMono(1, calls));

        StepVerifier.create(mono).then(scheduler::runDueTasks).expectNext("ok 2").expectComplete().verify(TIMEOUT);
        StepVerifier.create(mono).then(scheduler::runDueTasks).expectNext("ok 3").expectComplete().verify(TIMEOUT);

        assertThat(listener.events).containsExactly("retry reactive #1 fail 1 in 0ns",
                "completed reactive SUCCESS_WITH_RETRY after 2",
                "completed reactive SUCCESS_WITHOUT_RETRY after 1");
    }

    @Test
    void emptyMonoIsASuccess() {
        StepVerifier.create(ReactorRetry.mono(retrier(RetryConfig.builder()), Mono::empty)).expectComplete().verify(TIMEOUT);

        assertThat(listener.events).containsExactly("completed reactive SUCCESS_WITHOUT_RETRY after 1");
    }

    @Test
    void nextAttemptIsSubscribedOnTheExecutor() throws Exception {
        ExecutorService executor = Executors.newSingleThreadExecutor(task -> new Thread(task, "retry-executor"));
        try {
            Retrier retrier = Retrier.builder("threads").scheduler(scheduler).executor(executor)
                    .config(RetryConfig.builder().delay(Duration.ofMillis(5)).build()).build();
            List<String> threads = new ArrayList<>();
            AtomicInteger calls = new AtomicInteger();
            CompletableFuture<String> result = new CompletableFuture<>();
            AtomicReference<Disposable> subscription = new AtomicReference<>();

            subscription.set(ReactorRetry.mono(retrier, () -> {
                threads.add(Thread.currentThread().getName());
                return eagerMono(1, calls);
            }).subscribe(result::complete, result::completeExceptionally));
            scheduler.advance(5, TimeUnit.MILLISECONDS);

            assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("ok 2");
            assertThat(threads).containsExactly(Thread.currentThread().getName(), "retry-executor");
        } finally {
            executor.shutdownNow();
        }
    }
}
