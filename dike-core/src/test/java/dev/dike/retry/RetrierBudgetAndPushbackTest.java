package dev.dike.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The retrier carrying out the budget's and the server's decisions, for every kind of call: a spent
 * budget hands the original exception over at once as {@code BUDGET_EXHAUSTED}; a retry-after
 * lengthens the delay, or stops the call when it is too long.
 */
class RetrierBudgetAndPushbackTest extends RetryFixture {

    RetrierBudgetAndPushbackTest() {
        super("pushback");
    }

    /** A failure that carries the server's retry-after, as a dike-aware client exception would. */
    static final class Busy extends RuntimeException implements RetryAfter {
        private static final long serialVersionUID = 1L;
        private final transient Duration after;

        Busy(Duration after) {
            super("busy, retry after " + after);
            this.after = after;
        }

        @Override
        public Optional<Duration> retryAfter() {
            return Optional.ofNullable(after);
        }
    }

    /** The ways to call one retrier, each returning the call's failure (the clock run until it ends). */
    private enum Kind {
        CALL, ASYNC, MONO, FLUX
    }

    private Throwable failureOf(Kind kind, Retrier retrier, AtomicInteger attempts, Function<Integer, RuntimeException> error) {
        switch (kind) {
            case CALL:
                return catchThrowable(() -> retrier.call(() -> {
                    throw error.apply(attempts.incrementAndGet());
                }));
            case ASYNC: {
                CompletableFuture<Object> future = retrier.executeAsync(
                        () -> CompletableFuture.failedFuture(error.apply(attempts.incrementAndGet())));
                scheduler.advance(1, TimeUnit.HOURS);
                return catchThrowable(future::join).getCause();
            }
            case MONO: {
                CompletableFuture<Object> future = ReactorRetry.mono(retrier,
                        () -> Mono.error(error.apply(attempts.incrementAndGet()))).toFuture();
                scheduler.advance(1, TimeUnit.HOURS);
                return catchThrowable(future::join).getCause();
            }
            default: {
                CompletableFuture<Object> future = ReactorRetry.flux(retrier,
                        () -> Flux.error(error.apply(attempts.incrementAndGet()))).next().toFuture();
                scheduler.advance(1, TimeUnit.HOURS);
                return catchThrowable(future::join).getCause();
            }
        }
    }

    @Test
    void spentBudgetHandsTheOriginalExceptionOverAtOnce() {
        for (Kind kind : Kind.values()) {
            listener.events.clear();
            RetryBudget budget = RetryBudget.builder("shared").percent(0).minRetriesPerSecond(0.1)
                    .window(Duration.ofSeconds(10)).clock(scheduler).build(); // one retry per window
            Retrier retrier = Retrier.builder("pushback").config(RetryConfig.builder().attempts(4).build())
                    .scheduler(scheduler).executor(Runnable::run).listener(listener).budget(budget).build();
            AtomicInteger attempts = new AtomicInteger();

            Throwable failure = failureOf(kind, retrier, attempts, attempt -> new IllegalStateException("attempt " + attempt));

            assertThat(failure).as(kind.name()).isInstanceOf(IllegalStateException.class).hasMessage("attempt 2");
            assertThat(attempts).as(kind.name()).hasValue(2);
            assertThat(listener.events).as(kind.name()).last()
                    .isEqualTo("completed pushback BUDGET_EXHAUSTED after 2 with attempt 2");
            assertThat(budget.refusedRetries()).isEqualTo(1);
            scheduler.advance(1, TimeUnit.MINUTES); // the next kind starts with a fresh window
        }
        assertThat(RetryOutcome.BUDGET_EXHAUSTED.tagValue()).isEqualTo("budget_exhausted");
    }

    @Test
    void retriesNotAllowedByTheRulesDoNotSpendTheBudget() {
        RetryBudget budget = RetryBudget.builder("shared").percent(0).minRetriesPerSecond(0.1)
                .window(Duration.ofSeconds(10)).clock(scheduler).build();
        Retrier retrier = Retrier.builder("pushback").config(RetryConfig.builder().attempts(1).build())
                .scheduler(scheduler).executor(Runnable::run).listener(listener).budget(budget).build();

        failureOf(Kind.CALL, retrier, new AtomicInteger(), attempt -> new IllegalStateException("no"));

        assertThat(budget.retriesLeft()).isEqualTo(1);
        assertThat(listener.events).containsExactly("completed pushback FAILURE_WITHOUT_RETRY after 1 with no");
    }

    @Test
    void retryAfterLengthensTheDelay() {
        Retrier retrier = retrier(RetryConfig.builder().attempts(2).delay(Duration.ofMillis(100)));
        AtomicInteger attempts = new AtomicInteger();
        CompletableFuture<Object> future = retrier.executeAsync(() -> attempts.incrementAndGet() == 1
                ? CompletableFuture.failedFuture(new Busy(Duration.ofSeconds(3)))
                : CompletableFuture.completedFuture("ok"));

        assertThat(scheduler.pendingDelaysNanos()).containsExactly(TimeUnit.SECONDS.toNanos(3));
        scheduler.advance(3, TimeUnit.SECONDS);
        assertThat(future).isCompletedWithValue("ok");
        assertThat(log.warnings()).containsExactly(
                "Caught exception dev.dike.retry.RetrierBudgetAndPushbackTest$Busy: busy, retry after PT3S. "
                        + "Retrying in 3s ...");
    }

    @Test
    void shorterRetryAfterKeepsTheComputedDelay() {
        Retrier retrier = retrier(RetryConfig.builder().attempts(2).delay(Duration.ofSeconds(2)));
        retrier.executeAsync(() -> CompletableFuture.failedFuture(new Busy(Duration.ofMillis(1))));

        assertThat(scheduler.pendingDelaysNanos()).containsExactly(TimeUnit.SECONDS.toNanos(2));
        scheduler.advance(2, TimeUnit.SECONDS);
    }

    @Test
    void retryAfterLongerThanTheMaximumStopsAtOnce() {
        for (Kind kind : Kind.values()) {
            listener.events.clear();
            Retrier retrier = retrier(RetryConfig.builder().attempts(5).maxDelay(Duration.ofSeconds(30))
                    .maxRetryAfter(Duration.ofSeconds(5)));
            AtomicInteger attempts = new AtomicInteger();

            Throwable failure = failureOf(kind, retrier, attempts, attempt -> new Busy(Duration.ofSeconds(6)));

            assertThat(failure).as(kind.name()).isInstanceOf(Busy.class);
            assertThat(attempts).as(kind.name()).hasValue(1);
            assertThat(listener.events).as(kind.name()).containsExactly(
                    "retry-after too long pushback #1 busy, retry after PT6S",
                    "completed pushback FAILURE_WITHOUT_RETRY after 1 with busy, retry after PT6S");
        }
    }

    @Test
    void maxDelayBoundsTheRetryAfterWhenNoMaximumIsSet() {
        Retrier retrier = retrier(RetryConfig.builder().attempts(2).maxDelay(Duration.ofSeconds(1)));
        AtomicInteger attempts = new AtomicInteger();

        failureOf(Kind.ASYNC, retrier, attempts, attempt -> new Busy(Duration.ofMillis(1_001)));
        assertThat(attempts).hasValue(1);
        failureOf(Kind.ASYNC, retrier, attempts, attempt -> new Busy(Duration.ofMillis(1_000)));
        assertThat(attempts).hasValue(3);
    }

    @Test
    void retryAfterIsIgnoredWhenNotRespected() {
        Retrier retrier = retrier(RetryConfig.builder().attempts(2).maxDelay(Duration.ofSeconds(1))
                .respectRetryAfter(false));
        retrier.executeAsync(() -> CompletableFuture.failedFuture(new Busy(Duration.ofHours(1))));

        assertThat(scheduler.pendingDelaysNanos()).isEmpty(); // the zero delay: retried at once
        assertThat(listener.events).last().asString().startsWith("completed pushback FAILURE_WITH_RETRY after 2");
    }

    @Test
    void retryAfterIsFoundInCausesAndThroughAnExtraSource() {
        Retrier retrier = Retrier.builder("pushback").config(RetryConfig.builder().attempts(2).build())
                .scheduler(scheduler).executor(Runnable::run).listener(listener)
                .retryAfterSource(RetryAfter.Source.DIKE.orElse(
                        failure -> failure instanceof UnsupportedOperationException ? Duration.ofSeconds(7) : null))
                .build();

        retrier.executeAsync(() -> CompletableFuture.failedFuture(
                new IllegalStateException("wrapped", new Busy(Duration.ofSeconds(4)))));
        assertThat(scheduler.pendingDelaysNanos()).containsExactly(TimeUnit.SECONDS.toNanos(4));
        scheduler.advance(4, TimeUnit.SECONDS);

        retrier.executeAsync(() -> CompletableFuture.failedFuture(new UnsupportedOperationException("later")));
        assertThat(scheduler.pendingDelaysNanos()).containsExactly(TimeUnit.SECONDS.toNanos(7));
        scheduler.advance(7, TimeUnit.SECONDS);
    }
}
