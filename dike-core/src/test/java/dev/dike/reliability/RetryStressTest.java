package dev.dike.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.dike.retry.ReactorRetry;
import dev.dike.retry.Retrier;
import dev.dike.retry.RetryConfig;
import dev.dike.retry.RetryListener;
import dev.dike.retry.RetryOutcome;
import dev.dike.time.DelayScheduler;
import dev.dike.time.ManualDelayScheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Cancelling a call while its retry delay is pending stops it for good: the operation is never called
 * again and the delay is unscheduled. Many concurrent calls, whatever their end (success after
 * retries, exhausted attempts, cancellation), leave no scheduled task behind.
 */
@Tag("stress")
class RetryStressTest {

    private static final int CALLS = 2_500;
    private static final Logger RETRY_LOG = (Logger) LoggerFactory.getLogger("dev.dike.retry");
    private static Level retryLogLevel;

    private final ExecutorService attempts = StressThreads.pool("retry-attempt", 2);
    private final ExecutorService failing = StressThreads.pool("retry-failing", 2);

    @BeforeAll
    static void quietRetryLog() {
        // Hundreds of thousands of WARN lines would only slow the run; the log format has its own tests.
        retryLogLevel = RETRY_LOG.getLevel();
        RETRY_LOG.setLevel(Level.ERROR);
    }

    @AfterAll
    static void restoreRetryLog() {
        RETRY_LOG.setLevel(retryLogLevel);
    }

    @AfterEach
    void shutDown() {
        attempts.shutdownNow();
        failing.shutdownNow();
    }

    @Test
    void cancellingDuringAPendingDelayStopsEveryFurtherAttempt() throws Exception {
        ManualDelayScheduler clock = new ManualDelayScheduler();
        Retrier retrier = Retrier.builder("stress-cancel").scheduler(clock).executor(Runnable::run)
                .config(RetryConfig.builder().attempts(RetryConfig.UNLIMITED_ATTEMPTS).delay(Duration.ofSeconds(1))
                        .backoff(2).maxDelay(Duration.ofMinutes(1)).jitter(0.5).build())
                .build();
        AtomicIntegerArray calls = new AtomicIntegerArray(2 * CALLS);
        List<CompletableFuture<Integer>> futures = new ArrayList<>();
        List<Disposable> subscriptions = new ArrayList<>();
        AtomicReference<Throwable> monoError = new AtomicReference<>();
        for (int id = 0; id < CALLS; id++) {
            int call = id;
            futures.add(retrier.executeAsync(() -> {
                calls.incrementAndGet(call);
                return CompletableFuture.failedFuture(new IllegalStateException("attempt of call " + call));
            }));
            int monoCall = CALLS + id;
            subscriptions.add(ReactorRetry.mono(retrier, () -> Mono.<Integer>defer(() -> {
                calls.incrementAndGet(monoCall);
                return Mono.error(new IllegalStateException("attempt of call " + monoCall));
            })).subscribe(value -> { }, monoError::set));
        }
        assertThat(clock.pendingTasks()).as("one pending delay per call").isEqualTo(2 * CALLS);

        // Rounds: cancel a share of the calls from several threads while the clock stands still (so
        // every cancelled call is inside its delay), then let every remaining delay elapse.
        int[] callsAtCancel = new int[2 * CALLS];
        boolean[] isCancelled = new boolean[2 * CALLS];
        SplittableRandom random = new SplittableRandom(4_000);
        int remaining = 2 * CALLS;
        int rounds = 0;
        while (remaining > 0) {
            List<Integer> toCancel = new ArrayList<>();
            for (int call = 0; call < 2 * CALLS; call++) {
                if (!isCancelled[call] && (random.nextInt(4) == 0 || rounds >= 8)) {
                    toCancel.add(call);
                    isCancelled[call] = true;
                    callsAtCancel[call] = calls.get(call);
                }
            }
            remaining -= toCancel.size();
            StressThreads.runAll("retry-canceller", 4, t -> {
                for (int i = t; i < toCancel.size(); i += 4) {
                    int call = toCancel.get(i);
                    if (call < CALLS) {
                        futures.get(call).cancel(true);
                    } else {
                        subscriptions.get(call - CALLS).dispose();
                    }
                }
            });
            assertThat(clock.pendingTasks()).as("delays left after round %d", rounds).isEqualTo(remaining);
            clock.advance(2, TimeUnit.MINUTES); // beyond the longest delay: every remaining call retries
            rounds++;
        }
        clock.advance(1, TimeUnit.DAYS);

        int extraAttempts = 0;
        for (int call = 0; call < 2 * CALLS; call++) {
            extraAttempts += calls.get(call) - callsAtCancel[call];
        }
        long attemptsMade = 0;
        for (int call = 0; call < 2 * CALLS; call++) {
            attemptsMade += calls.get(call);
        }
        assertThat(extraAttempts).as("attempts after a cancellation").isZero();
        assertThat(clock.pendingTasks()).as("scheduled tasks left").isZero();
        assertThat(futures).allMatch(CompletableFuture::isCancelled);
        assertThat(monoError.get()).as("a disposed subscription is not signalled").isNull();
        System.out.printf("RELIABILITY retry cancel-during-delay: calls=%d (futures %d, monos %d) rounds=%d "
                        + "attemptsMade=%d cancelledDuringDelay=%d attemptsAfterCancel=%d scheduledTasksLeft=%d%n",
                2 * CALLS, CALLS, CALLS, rounds, attemptsMade, 2 * CALLS, extraAttempts, clock.pendingTasks());
    }

    @Test
    void manyConcurrentCallsLeaveNoScheduledTask() throws Exception {
        CountingDelayScheduler scheduler = new CountingDelayScheduler(DelayScheduler.system());
        Retrier retrier = Retrier.builder("stress-leftovers").scheduler(scheduler).executor(attempts)
                .config(RetryConfig.builder().attempts(6).delay(Duration.ofMillis(1)).backoff(1.5).jitter(0.5)
                        .build())
                .build();
        int threads = 8;
        int perThread = 50_000 / threads;
        LongAdder succeeded = new LongAdder();
        LongAdder exhausted = new LongAdder();
        LongAdder cancelled = new LongAdder();
        LongAdder completed = new LongAdder();
        LongAdder wrong = new LongAdder();
        AtomicReference<String> firstWrong = new AtomicReference<>();
        long started = System.nanoTime();

        StressThreads.runAll("retry-caller", threads, t -> {
            SplittableRandom random = new SplittableRandom(5_000 + t);
            List<CompletableFuture<?>> recent = new ArrayList<>();
            for (int i = 0; i < perThread; i++) {
                long id = (long) t * perThread + i;
                int failures = random.nextInt(8); // 6 or more: exhausts the attempts
                AtomicIntegerArray attemptCount = new AtomicIntegerArray(1);
                AtomicBoolean done = new AtomicBoolean();
                boolean asMono = random.nextBoolean();
                CompletableFuture<Long> result = asMono
                        ? ReactorRetry.mono(retrier, () -> attempt(id, attemptCount, failures)).toFuture()
                        : retrier.executeAsync(() -> attempt(id, attemptCount, failures).toFuture());
                result.whenComplete((value, error) -> {
                    if (!done.compareAndSet(false, true)) {
                        record(wrong, firstWrong, "call " + id + " completed twice");
                    }
                    completed.increment();
                    Throwable cause = error instanceof CompletionException ? error.getCause() : error;
                    if (cause instanceof CancellationException) {
                        cancelled.increment();
                    } else if (cause == null && failures < 6 && value == id) {
                        succeeded.increment();
                    } else if (cause instanceof AttemptFailure failure && failures >= 6 && failure.id == id
                            && failure.attempt == 6) {
                        exhausted.increment(); // the original exception of the last attempt
                    } else {
                        record(wrong, firstWrong, "call " + id + " with " + failures + " failures got "
                                + (cause != null ? cause : value));
                    }
                });
                if (random.nextInt(10) == 0 && !recent.isEmpty()) {
                    recent.get(random.nextInt(recent.size())).cancel(true);
                }
                if (recent.size() < 64) {
                    recent.add(result);
                } else {
                    recent.set(random.nextInt(64), result);
                }
            }
        });

        long calls = (long) threads * perThread;
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
                .until(() -> completed.sum() == calls && scheduler.pending() == 0);
        assertThat(wrong.sum()).as(firstWrong.get() == null ? "" : firstWrong.get()).isZero();
        assertThat(completed.sum()).isEqualTo(calls);
        assertThat(scheduler.pending()).as("scheduled tasks left").isZero();
        assertThat(succeeded.sum()).isPositive();
        assertThat(exhausted.sum()).isPositive();
        assertThat(cancelled.sum()).isPositive();
        System.out.printf("RELIABILITY retry concurrent: calls=%d completed=%d succeeded=%d exhausted=%d "
                        + "cancelled=%d | delays scheduled=%d ran=%d cancelled=%d left=%d | wrong=%d | %d ms%n",
                calls, completed.sum(), succeeded.sum(), exhausted.sum(), cancelled.sum(), scheduler.scheduled.sum(),
                scheduler.ran.sum(), scheduler.cancelled.sum(), scheduler.pending(), wrong.sum(),
                (System.nanoTime() - started) / 1_000_000);
    }

    /**
     * Attempt 1 fails on one thread while another disposes, with no delay between attempts: the
     * resubscription may run after the cancel hook flagged the call but before the cancel reached
     * {@code retryWhen}. The later attempts never signal, so any reported end is wrong: a success (the
     * old code answered that resubscription with an empty publisher) or anything else. Bounded and
     * timing-dependent, it backs {@code ReactorRetryDisposeTest}, which forces that interleaving.
     */
    @Test
    void disposingWhileTheOnlyAttemptFailsIsNeverReportedAsAnEnd() throws Exception {
        int calls = 2_000;
        LongAdder reported = new LongAdder();
        AtomicReference<String> firstReport = new AtomicReference<>();
        Retrier retrier = Retrier.builder("stress-dispose").scheduler(new ManualDelayScheduler()).executor(Runnable::run)
                .config(RetryConfig.builder().attempts(3).delay(Duration.ZERO).build())
                .listener(new RetryListener() {
                    @Override
                    public void onCompleted(String name, RetryOutcome outcome, int attempts, Throwable error) {
                        record(reported, firstReport, outcome + " after " + attempts + " attempts");
                    }
                }).build();
        List<Sinks.Empty<Object>> firstAttempts = new ArrayList<>();
        List<Disposable> subscriptions = new ArrayList<>();
        AtomicInteger laterAttempts = new AtomicInteger();
        for (int call = 0; call < calls; call++) {
            Sinks.Empty<Object> first = Sinks.empty();
            AtomicBoolean started = new AtomicBoolean();
            Supplier<Mono<Object>> attempt = () -> {
                if (started.compareAndSet(false, true)) {
                    return first.asMono();
                }
                laterAttempts.incrementAndGet();
                return Mono.never();
            };
            firstAttempts.add(first);
            subscriptions.add(call % 2 == 0 ? ReactorRetry.mono(retrier, attempt).subscribe()
                    : ReactorRetry.flux(retrier, () -> attempt.get().flux()).subscribe());
        }
        AtomicInteger failedUpTo = new AtomicInteger(-1);
        AtomicInteger disposedUpTo = new AtomicInteger(-1);
        StressThreads.runAll("retry-dispose", 2, t -> {
            SplittableRandom random = new SplittableRandom(6_000 + t);
            for (int call = 0; call < calls; call++) {
                if (t == 0) {
                    while (disposedUpTo.get() < call - 1) {
                        Thread.yield(); // both threads start each call together
                    }
                    failedUpTo.set(call);
                    for (int spin = random.nextInt(2_000); spin > 0; spin--) {
                        Thread.onSpinWait(); // lets the dispose land before, during or after the failure
                    }
                    firstAttempts.get(call).tryEmitError(new IllegalStateException("down"));
                } else {
                    while (failedUpTo.get() < call) {
                        Thread.yield();
                    }
                    subscriptions.get(call).dispose();
                    disposedUpTo.set(call);
                }
            }
        });
        assertThat(reported.sum()).as(firstReport.get() == null ? "" : firstReport.get()).isZero();
        System.out.printf("RELIABILITY retry dispose-while-failing: calls=%d laterAttempts=%d reportedEnds=%d%n",
                calls, laterAttempts.get(), reported.sum());
    }

    /** One attempt: fails (on another thread, or at once) until {@code failures} attempts were made. */
    private Mono<Long> attempt(long id, AtomicIntegerArray count, int failures) {
        int attempt = count.incrementAndGet(0);
        if (attempt > failures) {
            return Mono.just(id);
        }
        AttemptFailure failure = new AttemptFailure(id, attempt);
        return ThreadLocalRandom.current().nextBoolean() ? Mono.error(failure)
                : Mono.fromFuture(CompletableFuture.supplyAsync(() -> {
                    throw failure;
                }, failing));
    }

    private static void record(LongAdder wrong, AtomicReference<String> first, String description) {
        wrong.increment();
        first.compareAndSet(null, description);
    }

    /** The failure of one attempt of one call. */
    private static final class AttemptFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final long id;
        final int attempt;

        AttemptFailure(long id, int attempt) {
            super("attempt " + attempt + " of call " + id, null, false, false);
            this.id = id;
            this.attempt = attempt;
        }
    }
}
