package dev.dike.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.dike.limit.CompletionListener.Outcome;
import dev.dike.time.DelayScheduler;
import dev.dike.time.ManualDelayScheduler;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
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
    void aSynchronousCallThatWaitedIsTimedFromItsGrantNotFromItsWakeUp() throws Exception {
        JobLimiter limiter = limiter(1, Duration.ofSeconds(10));
        assertThat(limiter.tryAcquire()).isTrue();
        Thread waiter = new Thread(() -> {
            try {
                limiter.call(() -> "ok");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, "waiter");
        waiter.start();
        await().until(() -> limiter.waiting() == 1 && waiter.getState() == Thread.State.WAITING); // parked

        // ManualDelayScheduler reads its clock under its own monitor: holding it, the grant happens at
        // 0 ms and the woken thread cannot read the clock before it says 5,000 ms. Those 5 s are the
        // wake-up delay, which an adaptive limit must see in the call's duration, as for async calls.
        synchronized (clock) {
            limiter.release(); // hands the permit to the waiter and unparks it
            advanceMillis(5_000);
        }
        waiter.join(10_000);

        assertThat(waiter.isAlive()).isFalse();
        assertThat(completions).containsExactly("SUCCESS 5000");
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

    /**
     * A listener that times no call: on every path a success is neither reported nor costs a clock
     * read; a failure, a timeout and a cancellation are reported, with {@code UNTIMED} for the grant.
     */
    @Test
    void aCallTheListenerDoesNotTimeIsReportedOnlyIfItDidNotSucceedAndThenWithoutAGrantTime() throws Exception {
        AtomicInteger clockReads = new AtomicInteger();
        DelayScheduler countingClock = reading(() -> {
            clockReads.incrementAndGet();
            return clock.nanoTime();
        });
        JobLimiter limiter = JobLimiter.builder("jobs").limit(2).maxWait(Duration.ofSeconds(1)).scheduler(countingClock)
                .executor(executor).completionListener(new CompletionListener() {
                    @Override
                    public void onCompleted(long granted, long completed, Outcome outcome) {
                        completions.add(outcome + (granted == UNTIMED ? " untimed" : " timed at " + granted)
                                + ", ended at " + TimeUnit.NANOSECONDS.toMillis(completed));
                    }

                    @Override
                    public boolean timeCall() {
                        return false;
                    }
                }).build();
        advanceMillis(10);

        assertThat(limiter.call(() -> "sync")).isEqualTo("sync");
        assertThat(limiter.executeAsync(() -> CompletableFuture.completedFuture("cached")).join()).isEqualTo("cached");
        CompletableFuture<String> later = new CompletableFuture<>();
        CompletableFuture<String> result = limiter.executeAsync(() -> later);
        later.complete("later");
        assertThat(result.join()).isEqualTo("later");
        StepVerifier.create(ReactorLimit.mono(limiter, () -> Mono.just("mono"))).expectNext("mono").verifyComplete();
        assertThat(completions).isEmpty();
        assertThat(clockReads).hasValue(0);

        IOException down = new IOException("down");
        assertThatThrownBy(() -> limiter.call(() -> {
            throw down;
        })).isSameAs(down);
        CompletableFuture<String> timesOut = new CompletableFuture<>();
        limiter.executeAsync(() -> timesOut);
        CompletableFuture<String> waitsThenSucceeds = new CompletableFuture<>();
        CompletableFuture<String> cancelled = limiter.executeAsync(CompletableFuture::new);
        limiter.executeAsync(() -> waitsThenSucceeds); // no permit free: waits
        advanceMillis(5);
        timesOut.completeExceptionally(new TimeoutException("slow")); // hands its permit to the waiting call
        executor.runAll();
        cancelled.cancel(false);
        waitsThenSucceeds.complete("waited");

        assertThat(completions).containsExactly("FAILURE untimed, ended at 10", "TIMEOUT untimed, ended at 15",
                "CANCELLED untimed, ended at 15");
        assertThat(limiter.inFlight()).isZero();
    }

    @Test
    void aClockThatReadsTheUntimedValueStillTimesTheCall() {
        DelayScheduler stuckClock = reading(() -> CompletionListener.UNTIMED);
        List<Long> granted = new CopyOnWriteArrayList<>();
        JobLimiter limiter = JobLimiter.builder("jobs").limit(1).scheduler(stuckClock)
                .completionListener((grantedNanos, completedNanos, outcome) -> granted.add(grantedNanos)).build();
        limiter.executeAsync(() -> CompletableFuture.completedFuture("ok"));

        assertThat(granted).containsExactly(CompletionListener.UNTIMED + 1);
    }

    @Test
    void aListenerWhoseTimeCallThrowsGetsTheCallTimed() {
        JobLimiter limiter = JobLimiter.builder("jobs").limit(1).scheduler(clock).completionListener(new CompletionListener() {
            @Override
            public void onCompleted(long granted, long completed, Outcome outcome) {
                completions.add(outcome + " " + TimeUnit.NANOSECONDS.toMillis(completed - granted));
            }

            @Override
            public boolean timeCall() {
                throw new IllegalStateException("broken listener");
            }
        }).build();
        CompletableFuture<String> call = new CompletableFuture<>();
        CompletableFuture<String> result = limiter.executeAsync(() -> call);
        advanceMillis(3);
        call.complete("ok");

        assertThat(result.join()).isEqualTo("ok");
        assertThat(completions).containsExactly("SUCCESS 3");
        assertThat(limiter.inFlight()).isZero();
    }

    /** @return the test's clock for scheduling, reading the time from {@code nanoTime} */
    private DelayScheduler reading(LongSupplier nanoTime) {
        return new DelayScheduler() {
            @Override
            public ScheduledTask schedule(Runnable task, long delay, TimeUnit unit) {
                return clock.schedule(task, delay, unit);
            }

            @Override
            public long nanoTime() {
                return nanoTime.getAsLong();
            }
        };
    }

    @Test
    void aListenerThatThrowsIsLoggedAsACompletionListenerOnceAtWarnThenAtDebug() {
        CompletionListener broken = new CompletionListener() {
            @Override
            public void onCompleted(long grantedNanos, long completedNanos, Outcome outcome) {
                throw new IllegalStateException("broken listener");
            }

            @Override
            public String toString() {
                return "brokenListener";
            }
        };
        JobLimiter limiter = JobLimiter.builder("jobs").limit(1).scheduler(clock).completionListener(broken).build();
        Logger log = (Logger) LoggerFactory.getLogger("dev.dike.limit");
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        Level level = log.getLevel();
        boolean additive = log.isAdditive();
        log.addAppender(appender);
        log.setLevel(Level.DEBUG);
        log.setAdditive(false);
        try {
            limiter.executeAsync(() -> CompletableFuture.completedFuture("one"));
            limiter.executeAsync(() -> CompletableFuture.completedFuture("two"));
        } finally {
            log.detachAppender(appender);
            log.setLevel(level);
            log.setAdditive(additive);
        }

        assertThat(appender.list).extracting(ILoggingEvent::getLevel).containsExactly(Level.WARN, Level.DEBUG);
        assertThat(appender.list).extracting(ILoggingEvent::getFormattedMessage).allMatch(message -> message
                .startsWith("Completion listener brokenListener failed in onCompleted of limiter jobs; ignored"));
        assertThat(appender.list.get(0).getThrowableProxy().getMessage()).isEqualTo("broken listener");
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
