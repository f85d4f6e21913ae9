package dev.dike.limit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dike.time.ManualDelayScheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/** {@link ReactorLimit}: permits taken at subscription and released on every terminal path. */
class ReactorLimitTest {

    private final ManualDelayScheduler scheduler = new ManualDelayScheduler();
    private final QueueExecutor executor = new QueueExecutor();
    private final AtomicInteger bodies = new AtomicInteger();

    private JobLimiter limiter(int limit, Duration maxWait) {
        return JobLimiter.builder("jobs").limit(limit).maxWait(maxWait).scheduler(scheduler).executor(executor).build();
    }

    /** A body that counts its calls in {@link #bodies} and never completes. */
    private Supplier<Mono<String>> countedBody() {
        return () -> {
            bodies.incrementAndGet();
            return Mono.never();
        };
    }

    @Test
    void thePermitIsTakenAtSubscriptionNotAtAssembly() {
        JobLimiter limiter = limiter(2, Duration.ZERO);
        List<Mono<String>> assembled = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            assembled.add(ReactorLimit.mono(limiter, countedBody()));
        }
        assertThat(limiter.inFlight()).isZero();
        assertThat(bodies).hasValue(0);

        List<Disposable> subscriptions = new ArrayList<>();
        List<Throwable> errors = new ArrayList<>();
        for (Mono<String> mono : assembled) {
            subscriptions.add(mono.subscribe(value -> { }, errors::add));
        }

        assertThat(bodies).hasValue(2);
        assertThat(limiter.inFlight()).isEqualTo(2);
        assertThat(errors).hasSize(8).allSatisfy(error -> assertThat(error)
                .isInstanceOf(TooManyCallsException.class)
                .hasMessage("Too many calls to jobs! limit=2 exceeded"));
        subscriptions.forEach(Disposable::dispose);
        assertThat(limiter.inFlight()).isZero();
    }

    @Test
    void eachSubscriptionCallsTheOperationAgainUnderItsOwnPermit() {
        JobLimiter limiter = limiter(1, Duration.ZERO);
        Mono<Integer> mono = ReactorLimit.mono(limiter, () -> Mono.just(bodies.incrementAndGet()));

        StepVerifier.create(mono).expectNext(1).verifyComplete();
        StepVerifier.create(mono).expectNext(2).verifyComplete();
        assertThat(limiter.inFlight()).isZero();
        assertThat(limiter.permittedCount()).isEqualTo(2);
    }

    @Test
    void thePermitIsHeldUntilTheMonoTerminates() {
        JobLimiter limiter = limiter(1, Duration.ZERO);
        Sinks.One<String> result = Sinks.one();

        StepVerifier.create(ReactorLimit.mono(limiter, result::asMono))
                .then(() -> assertThat(limiter.inFlight()).isEqualTo(1))
                .then(() -> StepVerifier.create(ReactorLimit.mono(limiter, () -> Mono.just("other")))
                        .verifyError(TooManyCallsException.class))
                .then(() -> result.tryEmitValue("done"))
                .expectNext("done")
                .verifyComplete();
        assertThat(limiter.inFlight()).isZero();
    }

    @Test
    void errorsAndThrowingOrNullSuppliersReleaseThePermit() {
        JobLimiter limiter = limiter(1, Duration.ZERO);

        StepVerifier.create(ReactorLimit.mono(limiter, () -> Mono.error(new IllegalStateException("boom"))))
                .verifyErrorMessage("boom");
        StepVerifier.create(ReactorLimit.<String>mono(limiter, () -> {
            throw new IllegalArgumentException("bad");
        })).verifyErrorMessage("bad");
        StepVerifier.create(ReactorLimit.<String>mono(limiter, () -> null)).verifyError(NullPointerException.class);
        StepVerifier.create(ReactorLimit.<String>flux(limiter, () -> {
            throw new IllegalArgumentException("bad flux");
        })).verifyErrorMessage("bad flux");
        StepVerifier.create(ReactorLimit.<String>flux(limiter, () -> null)).verifyError(NullPointerException.class);

        assertThat(limiter.inFlight()).isZero();
        assertThat(limiter.rejectedCount()).isZero();
    }

    @Test
    void disposingReleasesThePermitOnce() {
        JobLimiter limiter = limiter(1, Duration.ZERO);
        AtomicInteger cancelled = new AtomicInteger();

        Disposable subscription = ReactorLimit.mono(limiter, () -> Mono.never().doOnCancel(cancelled::incrementAndGet))
                .subscribe();
        assertThat(limiter.inFlight()).isEqualTo(1);
        subscription.dispose();
        subscription.dispose();

        assertThat(limiter.inFlight()).isZero();
        assertThat(cancelled).hasValue(1);
    }

    @Test
    void aSubscriberChainingTheNextCallOnTheResultIsNeverRejected() {
        JobLimiter limiter = limiter(1, Duration.ZERO);

        Mono<String> chained = ReactorLimit.mono(limiter, () -> Mono.just("first"))
                .flatMap(first -> ReactorLimit.mono(limiter, () -> Mono.just(first + "+second")))
                .then(ReactorLimit.mono(limiter, () -> Mono.just("third")));
        Flux<Integer> fluxes = ReactorLimit.flux(limiter, () -> Flux.range(1, 3))
                .concatWith(ReactorLimit.flux(limiter, () -> Flux.range(4, 2)));

        StepVerifier.create(chained).expectNext("third").verifyComplete();
        StepVerifier.create(fluxes).expectNext(1, 2, 3, 4, 5).verifyComplete();
        StepVerifier.create(ReactorLimit.mono(limiter, Mono::<String>empty).then(ReactorLimit.mono(limiter, () -> Mono.just("after empty"))))
                .expectNext("after empty").verifyComplete();
        assertThat(limiter.rejectedCount()).isZero();
    }

    @Test
    void aFluxHoldsItsPermitUntilItCompletesAndReleasesItWhenCancelled() {
        JobLimiter limiter = limiter(1, Duration.ZERO);
        Sinks.Many<Integer> source = Sinks.many().unicast().onBackpressureBuffer();

        StepVerifier.create(ReactorLimit.flux(limiter, source::asFlux))
                .then(() -> source.tryEmitNext(1))
                .expectNext(1)
                .then(() -> assertThat(limiter.inFlight()).isEqualTo(1))
                .then(source::tryEmitComplete)
                .verifyComplete();
        assertThat(limiter.inFlight()).isZero();

        StepVerifier.create(ReactorLimit.flux(limiter, () -> Flux.range(1, 1000)).take(2))
                .expectNext(1, 2)
                .verifyComplete();
        assertThat(limiter.inFlight()).isZero();
    }

    @Test
    void aWaitingMonoIsStartedOnTheExecutorWhenAPermitFreesWithoutBlocking() {
        JobLimiter limiter = limiter(1, Duration.ofSeconds(1));
        Sinks.One<String> first = Sinks.one();
        List<String> values = new ArrayList<>();
        ReactorLimit.mono(limiter, first::asMono).subscribe(values::add);

        Disposable waiting = ReactorLimit.mono(limiter, () -> {
            bodies.incrementAndGet();
            return Mono.just("second");
        }).subscribe(values::add);

        assertThat(limiter.waiting()).isEqualTo(1);
        first.tryEmitValue("first");
        assertThat(bodies).hasValue(0);
        executor.runAll();
        assertThat(values).containsExactly("first", "second");
        assertThat(waiting.isDisposed()).isTrue();
        assertThat(limiter.inFlight()).isZero();
        assertThat(scheduler.pendingTasks()).isZero();
    }

    @Test
    void aWaitingFluxIsRejectedAfterMaxWait() {
        JobLimiter limiter = limiter(1, Duration.ofMillis(50));
        Disposable holder = ReactorLimit.flux(limiter, Flux::never).subscribe();
        List<Throwable> errors = new ArrayList<>();
        ReactorLimit.flux(limiter, () -> Flux.just(1)).subscribe(value -> { }, errors::add);

        scheduler.advance(50, TimeUnit.MILLISECONDS);
        assertThat(errors).as("delivered off the timer thread").isEmpty();
        executor.runAll();

        assertThat(errors).singleElement().isInstanceOf(TooManyCallsException.class);
        assertThat(limiter.waiting()).isZero();
        holder.dispose();
        assertThat(limiter.inFlight()).isZero();
    }

    @Test
    void disposingAWaitingSubscriptionWithdrawsIt() {
        JobLimiter limiter = limiter(1, Duration.ofSeconds(1));
        Disposable holder = ReactorLimit.mono(limiter, Mono::never).subscribe();
        Disposable waiting = ReactorLimit.mono(limiter, countedBody()).subscribe();

        waiting.dispose();
        assertThat(limiter.waiting()).isZero();
        assertThat(scheduler.pendingTasks()).isZero();
        holder.dispose();
        executor.runAll();

        assertThat(bodies).hasValue(0);
        assertThat(limiter.inFlight()).isZero();
    }

    @Test
    void disposingWhileTheGrantIsOnTheWayGivesThePermitBack() {
        JobLimiter limiter = limiter(1, Duration.ofSeconds(1));
        Disposable holder = ReactorLimit.mono(limiter, Mono::never).subscribe();
        Disposable waiting = ReactorLimit.mono(limiter, countedBody()).subscribe();

        holder.dispose(); // grants the waiter; its continuation is queued on the executor
        assertThat(limiter.inFlight()).isEqualTo(1);
        waiting.dispose();
        executor.runAll();

        assertThat(bodies).hasValue(0);
        assertThat(limiter.inFlight()).isZero();
        assertThat(limiter.waiting()).isZero();
    }

    /**
     * The caller's disposal can reach the subscription while the body is being called on the
     * executor after a grant: the permit must stay held until the body returned, so that no body
     * ever runs without one, and then be released once.
     */
    @Test
    void disposingWhileTheBodyIsCalledKeepsThePermitUntilTheBodyReturns() {
        JobLimiter forMono = limiter(1, Duration.ofSeconds(1));
        JobLimiter forFlux = limiter(1, Duration.ofSeconds(1));
        AtomicReference<Disposable> mono = new AtomicReference<>();
        AtomicReference<Disposable> flux = new AtomicReference<>();
        List<Integer> inFlightInBodies = new ArrayList<>();
        Disposable monoHolder = ReactorLimit.mono(forMono, Mono::never).subscribe();
        Disposable fluxHolder = ReactorLimit.flux(forFlux, Flux::never).subscribe();
        mono.set(ReactorLimit.mono(forMono, () -> {
            mono.get().dispose(); // the caller gives up while the body runs
            inFlightInBodies.add(forMono.inFlight());
            return Mono.never();
        }).subscribe());
        flux.set(ReactorLimit.flux(forFlux, () -> {
            flux.get().dispose();
            inFlightInBodies.add(forFlux.inFlight());
            return Flux.never();
        }).subscribe());

        monoHolder.dispose(); // grants the waiter; its body runs on the executor
        fluxHolder.dispose();
        executor.runAll();

        assertThat(inFlightInBodies).as("permits held while each body ran").containsExactly(1, 1);
        for (JobLimiter limiter : List.of(forMono, forFlux)) {
            assertThat(limiter.inFlight()).isZero();
            assertThat(limiter.waiting()).isZero();
            assertThat(limiter.permittedCount()).isEqualTo(2);
        }
    }
}
