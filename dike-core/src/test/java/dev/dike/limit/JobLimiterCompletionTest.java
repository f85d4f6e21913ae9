package dev.dike.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dike.limit.CompletionListener.Outcome;
import dev.dike.time.ManualDelayScheduler;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/**
 * The completion event: once per call that held a permit, on every path of every kind of call, with
 * the time from the grant of the permit to the completion of the result, and how it ended.
 */
class JobLimiterCompletionTest {

    private final ManualDelayScheduler clock = new ManualDelayScheduler();
    private final QueueExecutor executor = new QueueExecutor();
    /** "OUTCOME durationMillis" per completion. */
    private final List<String> completions = new CopyOnWriteArrayList<>();

    private JobLimiter limiter(int limit, Duration maxWait) {
        return JobLimiter.builder("jobs").limit(limit).maxWait(maxWait).scheduler(clock).executor(executor)
                .completionListener((granted, completed, outcome) ->
                        completions.add(outcome + " " + TimeUnit.NANOSECONDS.toMillis(completed - granted)))
                .build();
    }

    private void advanceMillis(long millis) {
        clock.advance(millis, TimeUnit.MILLISECONDS);
    }

    @Test
    void aFutureIsTimedFromTheGrantToItsCompletionWithItsOutcome() {
        JobLimiter limiter = limiter(3, Duration.ZERO);
        CompletableFuture<String> succeeds = new CompletableFuture<>();
        CompletableFuture<String> fails = new CompletableFuture<>();
        CompletableFuture<String> timesOut = new CompletableFuture<>();
        limiter.executeAsync(() -> succeeds);
        advanceMillis(10);
        limiter.executeAsync(() -> fails);
        limiter.executeAsync(() -> timesOut);
        advanceMillis(30);
        succeeds.complete("ok");
        fails.completeExceptionally(new IOException("down"));
        timesOut.completeExceptionally(new CompletionException(new TimeoutException("slow")));

        assertThat(completions).containsExactly("SUCCESS 40", "FAILURE 30", "TIMEOUT 30");
        assertThat(limiter.inFlight()).isZero();
    }

    @Test
    void operationsAnsweredAtOnceAreReportedOnceWithNoDuration() {
        JobLimiter limiter = limiter(1, Duration.ZERO);
        limiter.executeAsync(() -> CompletableFuture.completedFuture("cached"));
        limiter.executeAsync(() -> {
            throw new IllegalStateException("thrown");
        });
        limiter.executeAsync(() -> null);
        limiter.executeAsync(() -> CompletableFuture.failedFuture(new IOException("failed already")));

        assertThat(completions).containsExactly("SUCCESS 0", "FAILURE 0", "FAILURE 0", "FAILURE 0");
    }

    @Test
    void aCallThatWaitedIsTimedFromItsGrantNotItsArrival() {
        JobLimiter limiter = limiter(1, Duration.ofSeconds(1));
        CompletableFuture<String> first = new CompletableFuture<>();
        CompletableFuture<String> second = new CompletableFuture<>();
        limiter.executeAsync(() -> first);
        limiter.executeAsync(() -> second); // waits
        advanceMillis(100);
        first.complete("one"); // hands the permit to the second call
        executor.runAll();
        advanceMillis(20);
        second.complete("two");

        assertThat(completions).containsExactly("SUCCESS 100", "SUCCESS 20");
    }

    @Test
    void cancellingTheCallReportsACancellation() {
        JobLimiter limiter = limiter(1, Duration.ZERO);
        CompletableFuture<String> result = limiter.executeAsync(CompletableFuture::new);
        advanceMillis(5);
        result.cancel(false);

        assertThat(completions).containsExactly("CANCELLED 5");
    }

    @Test
    void rejectedAndWithdrawnCallsHeldNoPermitAndAreNotReported() {
        JobLimiter limiter = limiter(1, Duration.ofMillis(50));
        CompletableFuture<String> held = new CompletableFuture<>();
        limiter.executeAsync(() -> held);
        CompletableFuture<String> withdrawn = limiter.executeAsync(CompletableFuture::new);
        withdrawn.cancel(false);
        limiter.executeAsync(CompletableFuture::new); // times out waiting
        advanceMillis(60);
        executor.runAll();
        assertThat(limiter.tryAcquire()).isFalse();

        assertThat(completions).isEmpty();
    }

    @Test
    void aSynchronousCallIsReportedWithItsOutcomeAndRethrowsUnchanged() throws Exception {
        JobLimiter limiter = limiter(1, Duration.ZERO);
        assertThat(limiter.call(() -> {
            advanceMillis(7);
            return "ok";
        })).isEqualTo("ok");
        IOException down = new IOException("down");
        assertThatThrownBy(() -> limiter.call(() -> {
            throw down;
        })).isSameAs(down);

        assertThat(completions).containsExactly("SUCCESS 7", "FAILURE 0");
    }

    @Test
    void aMonoIsTimedToItsTerminalSignal() {
        JobLimiter limiter = limiter(2, Duration.ZERO);
        Sinks.One<String> value = Sinks.one();
        Sinks.One<String> failure = Sinks.one();
        StepVerifier.create(ReactorLimit.mono(limiter, value::asMono))
                .then(() -> advanceMillis(12))
                .then(() -> value.tryEmitValue("v"))
                .expectNext("v").verifyComplete();
        StepVerifier.create(ReactorLimit.mono(limiter, failure::asMono))
                .then(() -> advanceMillis(3))
                .then(() -> failure.tryEmitError(new IOException("down")))
                .verifyError(IOException.class);

        assertThat(completions).containsExactly("SUCCESS 12", "FAILURE 3");
    }

    @Test
    void aFluxIsTimedToItsLastSignalAndACancelledOneReportsTheCancellation() {
        JobLimiter limiter = limiter(2, Duration.ZERO);
        Sinks.Many<Integer> items = Sinks.many().unicast().onBackpressureBuffer();
        StepVerifier.create(ReactorLimit.flux(limiter, items::asFlux))
                .then(() -> items.tryEmitNext(1))
                .expectNext(1)
                .then(() -> advanceMillis(9))
                .then(items::tryEmitComplete)
                .verifyComplete();
        StepVerifier.create(ReactorLimit.flux(limiter, () -> Flux.<Integer>never()))
                .then(() -> advanceMillis(4))
                .thenCancel().verify();
        StepVerifier.create(ReactorLimit.mono(limiter, () -> Mono.<Integer>never()))
                .then(() -> advanceMillis(2))
                .thenCancel().verify();

        assertThat(limiter.inFlight()).isZero();
        assertThat(completions).containsExactly("SUCCESS 9", "CANCELLED 4", "CANCELLED 2");
    }

    @Test
    void aListenerThatThrowsNeitherBreaksTheCallNorKeepsThePermit() {
        JobLimiter limiter = JobLimiter.builder("jobs").limit(1).scheduler(clock).completionListener((g, c, o) -> {
            throw new IllegalStateException("broken listener");
        }).build();

        assertThat(limiter.executeAsync(() -> CompletableFuture.completedFuture("ok")).join()).isEqualTo("ok");
        assertThat(limiter.inFlight()).isZero();
    }

    @Test
    void outcomesAreClassifiedThroughOneWrapper() {
        assertThat(Outcome.of(null)).isEqualTo(Outcome.SUCCESS);
        assertThat(Outcome.of(new TimeoutException())).isEqualTo(Outcome.TIMEOUT);
        assertThat(Outcome.of(new CompletionException(new TimeoutException()))).isEqualTo(Outcome.TIMEOUT);
        assertThat(Outcome.of(new java.util.concurrent.CancellationException())).isEqualTo(Outcome.CANCELLED);
        assertThat(Outcome.of(new IOException())).isEqualTo(Outcome.FAILURE);
        assertThat(Outcome.of(new CompletionException(new IOException()))).isEqualTo(Outcome.FAILURE);
    }
}
