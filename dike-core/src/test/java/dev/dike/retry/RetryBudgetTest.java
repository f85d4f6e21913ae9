package dev.dike.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dike.time.DelayScheduler;
import dev.dike.time.ManualDelayScheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.assertj.core.data.Offset;
import org.assertj.core.data.Percentage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The budget's decisions alone, on a virtual clock: what it allows, when it refills, what it logs. */
class RetryBudgetTest {

    private final ManualDelayScheduler clock = new ManualDelayScheduler();
    private final RetryLogCapture log = new RetryLogCapture();

    @AfterEach
    void closeLog() {
        log.close();
    }

    private RetryBudget budget(double percent, double minRetriesPerSecond) {
        return RetryBudget.builder("backend").percent(percent).minRetriesPerSecond(minRetriesPerSecond)
                .window(Duration.ofSeconds(10)).clock(clock).build();
    }

    private static int retriesAllowed(RetryBudget budget, int tries) {
        int allowed = 0;
        for (int retry = 0; retry < tries; retry++) {
            if (budget.tryRetry()) {
                allowed++;
            }
        }
        return allowed;
    }

    @Test
    void percentOfTheCallsInTheWindowMayBeRetried() {
        RetryBudget budget = budget(10, 0);
        for (int call = 0; call < 1_000; call++) {
            budget.recordCall();
        }

        assertThat(budget.retriesLeft()).isEqualTo(100);
        assertThat(retriesAllowed(budget, 150)).isEqualTo(100);
        assertThat(budget.callsInWindow()).isEqualTo(1_000);
        assertThat(budget.retriesInWindow()).isEqualTo(100);
        assertThat(budget.retriesLeft()).isZero();
        assertThat(budget.refusedRetries()).isEqualTo(50);
    }

    @Test
    void reserveAllowsRetriesWithoutTraffic() {
        RetryBudget budget = budget(10, 2); // 2 per second over 10 s: 20 per window

        assertThat(retriesAllowed(budget, 30)).isEqualTo(20);
        budget.recordCall();
        budget.recordCall(); // 2 calls at 10 % are worth 0.2 retries: still nothing
        assertThat(budget.tryRetry()).isFalse();
    }

    @Test
    void windowSlidesOneTenthAtATime() {
        RetryBudget budget = budget(100, 0);
        for (int call = 0; call < 10; call++) {
            budget.recordCall(); // at 0 s
        }
        clock.advance(5, TimeUnit.SECONDS);
        for (int call = 0; call < 10; call++) {
            budget.recordCall(); // at 5 s
        }
        assertThat(retriesAllowed(budget, 20)).isEqualTo(20);

        clock.advance(4_999, TimeUnit.MILLISECONDS); // 9.999 s: the bucket of 0 s is still in
        assertThat(budget.callsInWindow()).isEqualTo(20);
        assertThat(budget.tryRetry()).isFalse();
        clock.advance(1, TimeUnit.MILLISECONDS); // 10 s: the calls and retries of 0 s left the window
        assertThat(budget.callsInWindow()).isEqualTo(10);
        assertThat(budget.retriesInWindow()).isEqualTo(20); // all twenty were made at 5 s
        assertThat(budget.retriesLeft()).isZero();

        clock.advance(5, TimeUnit.SECONDS); // 15 s: nothing left in the window
        assertThat(budget.callsInWindow()).isZero();
        assertThat(budget.retriesInWindow()).isZero();
    }

    @Test
    void refillsOnceTheFailuresStop() {
        RetryBudget budget = budget(10, 1);
        for (int second = 0; second < 10; second++) {
            for (int call = 0; call < 100; call++) {
                budget.recordCall();
                budget.tryRetry();
            }
            clock.advance(1, TimeUnit.SECONDS);
        }
        assertThat(budget.retriesLeft()).isLessThan(20);

        for (int second = 0; second < 10; second++) { // healthy: calls, no retries
            for (int call = 0; call < 100; call++) {
                budget.recordCall();
            }
            clock.advance(1, TimeUnit.SECONDS);
        }
        assertThat(budget.retriesLeft()).isEqualTo(90 + 10); // 900 calls of the last nine buckets, reserve
    }

    @Test
    void warnsOncePerWindowNotPerRefusal() {
        RetryBudget budget = budget(0, 0);

        retriesAllowed(budget, 5);
        clock.advance(9, TimeUnit.SECONDS);
        retriesAllowed(budget, 5);
        assertThat(log.warnings()).containsExactly("Retry budget of 'backend' is spent: 0 retries for 0 calls "
                + "within the last PT10S (percent=0.0, min-retries-per-second=0.0); failed calls are not retried "
                + "until it refills. Logged once per window.");
        clock.advance(1, TimeUnit.SECONDS);
        retriesAllowed(budget, 5);
        assertThat(log.warnings()).hasSize(2);
        assertThat(budget.refusedRetries()).isEqualTo(15);
    }

    @Test
    void negativeClockReadingsAreBucketedToo() {
        // The virtual clock starts at 0; System.nanoTime() may be negative.
        RetryBudget budget = RetryBudget.builder("negative").percent(100).minRetriesPerSecond(0)
                .window(Duration.ofSeconds(10)).clock(new ShiftedClock(clock, -TimeUnit.SECONDS.toNanos(5))).build();
        budget.recordCall();
        assertThat(budget.tryRetry()).isTrue();
        assertThat(budget.tryRetry()).isFalse();
        clock.advance(10, TimeUnit.SECONDS);
        assertThat(budget.callsInWindow()).isZero();
    }

    @Test
    void badValuesNameTheAttribute() {
        assertThatThrownBy(() -> RetryBudget.builder("b").percent(101).build())
                .hasMessage("Invalid retry budget percent '101.0' of 'b': must be between 0 and 100");
        assertThatThrownBy(() -> RetryBudget.builder("b").percent(Double.NaN).build())
                .hasMessageContaining("percent 'NaN'");
        assertThatThrownBy(() -> RetryBudget.builder("b").minRetriesPerSecond(-1).build())
                .hasMessage("Invalid retry budget minRetriesPerSecond '-1.0' of 'b': must be a finite number, zero "
                        + "or positive");
        assertThatThrownBy(() -> RetryBudget.builder("b").window(Duration.ZERO).build())
                .hasMessage("Invalid retry budget window 'PT0S' of 'b': must be positive");
    }

    @Test
    void reserveLargerThanABucketCanCountIsRefusedNamingBothAttributes() {
        // 1,000,000/s over 10 s: a reserve of 10,000,000 retries, which no bucket can count up to.
        assertThatThrownBy(() -> RetryBudget.builder("b").minRetriesPerSecond(1_000_000).build())
                .hasMessage("Invalid retry budget minRetriesPerSecond x window '1000000.0 x PT10S' of 'b': the "
                        + "reserve is 10,000,000 retries per window, more than the 4,194,303 a budget can count; "
                        + "lower minRetriesPerSecond or window");
        assertThatThrownBy(() -> RetryBudget.builder("b").minRetriesPerSecond(1).window(Duration.ofDays(60)).build())
                .hasMessageContaining("minRetriesPerSecond x window '1.0 x PT1440H'");
        // The largest reserve that can be honoured is accepted.
        assertThat(RetryBudget.builder("b").minRetriesPerSecond(RetryBudget.MAX_COUNT).window(Duration.ofSeconds(1))
                .clock(clock).build().retriesLeft()).isEqualTo(RetryBudget.MAX_COUNT);
    }

    @Test
    void retryThatFindsItsBucketCountFullIsRefused() {
        // Every call and retry in one bucket: 4,194,303 calls at 100 % plus as large a reserve allow
        // twice as many retries as the bucket can count. Counting stops at 4,194,303; a retry that
        // cannot be counted must be refused, or the budget would never refuse again in this bucket.
        RetryBudget budget = RetryBudget.builder("b").percent(100).minRetriesPerSecond(RetryBudget.MAX_COUNT)
                .window(Duration.ofSeconds(1)).clock(clock).build();
        for (long call = 0; call < 2 * RetryBudget.MAX_COUNT && budget.callsInWindow() < RetryBudget.MAX_COUNT; call++) {
            budget.recordCall();
        }
        for (int call = 0; call < 10 * RetryBudget.CALL_SAMPLING; call++) {
            budget.recordCall(); // not counted: calls saturate too
        }
        assertThat(budget.callsInWindow()).isEqualTo(RetryBudget.MAX_COUNT);

        long allowed = 0;
        while (allowed <= RetryBudget.MAX_COUNT && budget.tryRetry()) {
            allowed++;
        }

        assertThat(allowed).isEqualTo(RetryBudget.MAX_COUNT);
        assertThat(budget.tryRetry()).isFalse();
        assertThat(budget.refusedRetries()).isEqualTo(2);
    }

    @Test
    void aBusyBucketSamplesItsCallsWithoutBias() {
        RetryBudget budget = budget(10, 0);
        for (int call = 0; call < RetryBudget.EXACT_CALLS_PER_BUCKET; call++) {
            budget.recordCall();
        }
        assertThat(budget.callsInWindow()).isEqualTo(RetryBudget.EXACT_CALLS_PER_BUCKET); // one by one so far

        int sampled = 2_000_001; // not a multiple of CALL_SAMPLING: counted one by one, it would show
        for (int call = 0; call < sampled; call++) {
            budget.recordCall();
        }

        // Beyond EXACT_CALLS_PER_BUCKET, only sampled calls count, each as CALL_SAMPLING calls; the count is
        // right within 3 % (its standard error is 8 / sqrt(2,000,000), under 0.6 %).
        long beyond = budget.callsInWindow() - RetryBudget.EXACT_CALLS_PER_BUCKET;
        assertThat(beyond % RetryBudget.CALL_SAMPLING).isZero();
        assertThat(beyond).isCloseTo(sampled, Percentage.withPercentage(3));
        assertThat(budget.retriesLeft()).isCloseTo(budget.callsInWindow() / 10, Offset.offset(1L));
    }

    @Test
    void theNextBucketCountsOneByOneFromItsFirstCall() {
        RetryBudget budget = budget(100, 0);
        for (int call = 0; call < 2 * RetryBudget.EXACT_CALLS_PER_BUCKET; call++) {
            budget.recordCall();
        }
        clock.advance(15, TimeUnit.SECONDS); // the busy bucket left the window
        assertThat(budget.callsInWindow()).isZero();

        for (int call = 0; call < 3_000; call++) {
            budget.recordCall();
        }

        assertThat(budget.callsInWindow()).isEqualTo(3_000);
    }

    @Test
    void callsAndRetriesReadTheClockOnlyToStartTheTimerWhichReadsItOncePerBucket() {
        ShiftedClock countingClock = new ShiftedClock(clock, 0);
        RetryBudget budget = RetryBudget.builder("busy").percent(50).minRetriesPerSecond(0)
                .window(Duration.ofSeconds(10)).clock(countingClock).build();

        int allowed = 0;
        for (int second = 0; second < 3; second++) {
            for (int call = 0; call < 1_000; call++) {
                budget.recordCall();
                allowed += budget.tryRetry() ? 1 : 0;
            }
            clock.advance(1, TimeUnit.SECONDS);
        }

        // One reading starts the timer; each of the three ticks reads it once.
        assertThat(countingClock.reads).isEqualTo(1 + 3);
        assertThat(allowed).isEqualTo(1_500);
        assertThat(budget.callsInWindow()).isEqualTo(3_000);
        assertThat(budget.retriesInWindow()).isEqualTo(1_500);
    }

    @Test
    void theTimerStopsAfterABucketWithoutCallsAndTheNextCallStartsItAgain() {
        RetryBudget budget = budget(100, 0);
        assertThat(clock.pendingTasks()).isZero(); // a budget nobody uses costs nothing
        budget.recordCall();
        assertThat(clock.pendingDelaysNanos()).containsExactly(TimeUnit.SECONDS.toNanos(1)); // the next bucket

        clock.advance(1, TimeUnit.SECONDS); // the bucket of 0 s had a call: the timer goes on
        assertThat(clock.pendingTasks()).isOne();
        clock.advance(1, TimeUnit.SECONDS); // nothing in the bucket of 1 s: it stops
        assertThat(clock.pendingTasks()).isZero();

        clock.advance(2_500, TimeUnit.MILLISECONDS); // 4.5 s: the next call starts it from the clock
        budget.recordCall();
        assertThat(clock.pendingDelaysNanos()).containsExactly(TimeUnit.MILLISECONDS.toNanos(500));
        assertThat(budget.tryRetry()).isTrue();
        assertThat(budget.tryRetry()).isTrue();
        assertThat(budget.tryRetry()).isFalse(); // two calls, at 100 %: two retries

        clock.advance(5_500, TimeUnit.MILLISECONDS); // 10 s: the call of 0 s left the window, the one of 4.5 s not
        assertThat(budget.callsInWindow()).isOne();
        assertThat(budget.retriesInWindow()).isEqualTo(2);
        assertThat(budget.tryRetry()).isFalse();
    }

    @Test
    void aLateTickLeavesTheEndedBucketCurrentUntilItRuns() {
        HeldTicks held = new HeldTicks(clock);
        RetryBudget budget = RetryBudget.builder("late").percent(100).minRetriesPerSecond(0)
                .window(Duration.ofSeconds(10)).clock(held).build();
        budget.recordCall(); // at 0 s

        clock.advance(9_500, TimeUnit.MILLISECONDS); // the tick of 1 s is due but has not run
        budget.recordCall(); // counted in the bucket of 0 s, still current
        clock.advance(500, TimeUnit.MILLISECONDS); // 10 s: the bucket of 0 s leaves the window with both calls
        assertThat(budget.callsInWindow()).isZero();

        held.runDue(); // the tick reads the clock: the bucket of 10 s is current, not the one of 1 s
        budget.recordCall();
        assertThat(budget.callsInWindow()).isOne();
        assertThat(budget.tryRetry()).isTrue();
        assertThat(budget.tryRetry()).isFalse();
    }

    @Test
    void aSchedulerThatRefusesTheTimerLeavesEveryReadingOnTheClock() {
        ShiftedClock refusing = scheduling(task -> {
            throw new RejectedExecutionException("shut down");
        });
        RetryBudget budget = tenRetriesForAHundredCallsUntilTheyLeaveTheWindow(refusing);
        long readsBefore = refusing.reads;
        budget.recordCall();
        assertThat(refusing.reads).isEqualTo(readsBefore + 1); // no second attempt at a timer, one reading
        assertThat(budget.callsInWindow()).isOne();
    }

    @Test
    void aSchedulerThatRunsTasksAtOnceNeitherRecursesNorBreaksTheCount() {
        ShiftedClock immediate = scheduling(task -> {
            task.run(); // the tick runs before its bucket's end: it must stop, not ask again
            return () -> false;
        });
        tenRetriesForAHundredCallsUntilTheyLeaveTheWindow(immediate);
    }

    /** The virtual clock, counting its readings, whose {@code schedule} does what {@code schedule} says. */
    private ShiftedClock scheduling(Function<Runnable, DelayScheduler.ScheduledTask> schedule) {
        return new ShiftedClock(clock, 0) {
            @Override
            public ScheduledTask schedule(Runnable task, long delay, TimeUnit unit) {
                return schedule.apply(task);
            }
        };
    }

    /** A budget at 10 % on {@code scheduler}: 100 calls allow ten retries, until they leave the window. */
    private RetryBudget tenRetriesForAHundredCallsUntilTheyLeaveTheWindow(DelayScheduler scheduler) {
        RetryBudget budget = RetryBudget.builder("odd scheduler").percent(10).minRetriesPerSecond(0)
                .window(Duration.ofSeconds(10)).clock(scheduler).build();
        for (int call = 0; call < 100; call++) {
            budget.recordCall();
        }
        assertThat(retriesAllowed(budget, 20)).isEqualTo(10);
        clock.advance(10, TimeUnit.SECONDS);
        assertThat(budget.tryRetry()).isFalse(); // the calls left the window, and the budget knows it
        return budget;
    }

    @Test
    void windowsUnderTenMillisecondsHaveNoTimer() {
        RetryBudget budget = RetryBudget.builder("short").percent(100).minRetriesPerSecond(0)
                .window(Duration.ofMillis(5)).clock(clock).build();
        budget.recordCall();
        assertThat(clock.pendingTasks()).isZero();
        assertThat(budget.tryRetry()).isTrue();
        assertThat(budget.tryRetry()).isFalse();
        clock.advance(5, TimeUnit.MILLISECONDS);
        assertThat(budget.callsInWindow()).isZero();
        budget.recordCall();
        assertThat(budget.tryRetry()).isTrue();
    }

    @Test
    void callsCountedWhileTheTimerTicksOnAnotherThreadAreNeitherLostNorCountedTwice() throws Exception {
        int threads = 4;
        int perThread = 1_000; // 4,000 in all: below EXACT_CALLS_PER_BUCKET even if one bucket gets them all
        for (int round = 0; round < 20; round++) {
            ManualDelayScheduler ticking = new ManualDelayScheduler();
            RetryBudget budget = RetryBudget.builder("ticking").percent(100).minRetriesPerSecond(0)
                    .window(Duration.ofSeconds(100)).clock(ticking).build(); // buckets of 10 s
            budget.recordCall(); // starts the timer
            java.util.concurrent.atomic.AtomicBoolean callersDone = new java.util.concurrent.atomic.AtomicBoolean();
            Thread ticker = new Thread(() -> {
                for (int step = 0; step < 80 && !callersDone.get(); step++) { // at most 80 s: all in the window
                    ticking.advance(1, TimeUnit.SECONDS);
                    Thread.yield();
                }
            });
            ticker.start();
            runTogether(threads, () -> {
                for (int call = 0; call < perThread; call++) {
                    budget.recordCall();
                }
            });
            callersDone.set(true);
            ticker.join();

            assertThat(budget.callsInWindow()).isEqualTo(1 + (long) threads * perThread);
        }
    }

    @Test
    void concurrentCallsAreAllCountedAndRetriesExceedTheBudgetByAtMostTheDecidersAtOnce() throws Exception {
        int threads = 4;
        int perThread = RetryBudget.EXACT_CALLS_PER_BUCKET / threads; // all counted one by one
        for (int round = 0; round < 50; round++) {
            RetryBudget budget = budget(10, 0);
            runTogether(threads, () -> {
                for (int call = 0; call < perThread; call++) {
                    budget.recordCall();
                }
            });
            assertThat(budget.callsInWindow()).isEqualTo((long) threads * perThread);

            AtomicInteger allowed = new AtomicInteger();
            runTogether(threads, () -> {
                for (int retry = 0; retry < perThread; retry++) {
                    if (budget.tryRetry()) {
                        allowed.incrementAndGet();
                    }
                }
            });
            long budgeted = (long) threads * perThread / 10;
            assertThat((long) allowed.get()).isBetween(budgeted, budgeted + threads - 1);
            assertThat(budget.retriesInWindow()).isEqualTo(allowed.get());
            assertThat(budget.refusedRetries()).isEqualTo((long) threads * perThread - allowed.get());
        }
    }

    private static void runTogether(int threads, Runnable work) throws Exception {
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int thread = 0; thread < threads; thread++) {
                done.add(pool.submit(() -> {
                    start.await();
                    work.run();
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** The virtual clock, shifted by a fixed offset, that counts its readings. */
    private static class ShiftedClock implements DelayScheduler {
        private final ManualDelayScheduler delegate;
        private final long offsetNanos;
        long reads;

        ShiftedClock(ManualDelayScheduler delegate, long offsetNanos) {
            this.delegate = delegate;
            this.offsetNanos = offsetNanos;
        }

        @Override
        public ScheduledTask schedule(Runnable task, long delay, TimeUnit unit) {
            return delegate.schedule(task, delay, unit);
        }

        @Override
        public long nanoTime() {
            reads++;
            return delegate.nanoTime() + offsetNanos;
        }
    }

    /** The virtual clock's time, with tasks that run only when the test says so: a busy scheduler thread. */
    private static final class HeldTicks implements DelayScheduler {
        private final ManualDelayScheduler clock;
        private final List<Runnable> held = new ArrayList<>();

        HeldTicks(ManualDelayScheduler clock) {
            this.clock = clock;
        }

        @Override
        public ScheduledTask schedule(Runnable task, long delay, TimeUnit unit) {
            held.add(task);
            return () -> held.remove(task);
        }

        @Override
        public long nanoTime() {
            return clock.nanoTime();
        }

        void runDue() {
            List<Runnable> due = new ArrayList<>(held);
            held.clear();
            due.forEach(Runnable::run);
        }
    }

    @Test
    void defaultsAreTenPercentTenPerSecondTenSeconds() {
        RetryBudget budget = RetryBudget.builder("d").build();
        assertThat(budget.percent()).isEqualTo(10);
        assertThat(budget.minRetriesPerSecond()).isEqualTo(10);
        assertThat(budget.window()).isEqualTo(Duration.ofSeconds(10));
        assertThat(budget.retriesLeft()).isEqualTo(100);
    }
}
