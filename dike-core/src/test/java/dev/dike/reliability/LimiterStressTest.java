package dev.dike.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dike.limit.JobLimiter;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * At least a million calls from many threads through one {@link JobLimiter}, with synchronous throws,
 * failed futures, late failures, cancellations of the operation's future and of the caller's,
 * {@code Mono} disposals and rejections. The operations really running at once never exceed the
 * limit in force, every caller completes exactly once with its own outcome, and the limiter ends
 * idle with every permit back.
 */
@Tag("stress")
class LimiterStressTest {

    private static final int THREADS = 16;
    private static final int LIMIT = 8;
    private static final int CALLS = 1_000_000;

    private final ExecutorService executor = StressThreads.pool("limiter-executor", 2);
    private final Violations violations = new Violations();

    @AfterEach
    void shutDown() {
        executor.shutdownNow();
    }

    @Test
    void rejectsAtOnceWithoutLeakingAPermit() throws Exception {
        runWithFixedLimit("reject-at-once", Duration.ZERO, 1_000);
    }

    @Test
    void waitsForPermitsWithoutLeakingOne() throws Exception {
        // 2 ms: short enough that waits both end by a grant and time out, racing with cancellations.
        runWithFixedLimit("max-wait-2ms", Duration.ofMillis(2), 2_000);
    }

    private void runWithFixedLimit(String scenario, Duration maxWait, long seed) throws Exception {
        JobLimiter limiter = JobLimiter.builder("stress-" + scenario).limit(LIMIT).maxWait(maxWait)
                .executor(executor).build();
        ConcurrencyGauge gauge = new ConcurrencyGauge(ConcurrencyGauge.fixed(LIMIT), violations);
        LimiterWorkload workload = new LimiterWorkload(limiter, gauge, violations, LimiterWorkload.Bracket.NONE);

        long started = System.nanoTime();
        StressThreads.runAll("limit-caller", THREADS, t -> workload.run(CALLS / THREADS, seed + t));

        assertIdle(limiter, gauge, workload);
        assertThat(gauge.maxRunning()).as("the load kept the limiter full").isEqualTo(LIMIT);
        report(scenario, limiter, gauge, workload, started);
    }

    @Test
    void neverExceedsTheLimitInForceWhileItChanges() throws Exception {
        LimitChanges changes = new LimitChanges(LIMIT);
        Executor bracketed = changes.bracketed(executor);
        JobLimiter limiter = JobLimiter.builder("stress-change").limit(LIMIT).maxWait(Duration.ofMillis(2))
                .executor(bracketed).build();
        ConcurrencyGauge gauge = new ConcurrencyGauge(changes, violations);
        LimiterWorkload workload = new LimiterWorkload(limiter, gauge, violations, new LimiterWorkload.Bracket() {
            @Override
            public int enter() {
                return changes.enterCall();
            }

            @Override
            public void exit(int token) {
                changes.exitCall(token);
            }
        });

        AtomicBoolean callersDone = new AtomicBoolean();
        Thread changer = new Thread(() -> {
            SplittableRandom random = new SplittableRandom(3_000);
            while (!callersDone.get() && changes.canChange()) {
                // Mostly 1..12, sometimes 0 (every call waits, then is rejected).
                int next = random.nextInt(20) == 0 ? 0 : 1 + random.nextInt(12);
                changes.change(limiter, next, callersDone::get);
                Thread.yield();
            }
        }, "limit-changer");
        long started = System.nanoTime();
        changer.start();
        try {
            StressThreads.runAll("limit-caller", THREADS, t -> workload.run(CALLS / THREADS, 3_000 + t));
        } finally {
            callersDone.set(true);
            changer.join(60_000);
        }
        assertThat(changer.isAlive()).as("the changer stopped").isFalse();
        limiter.setLimit(LIMIT);

        assertIdle(limiter, gauge, workload);
        assertThat(changes.lowerings()).as("the limit was lowered under load").isGreaterThan(100);
        report("limit-changing (" + changes.changes() + " changes, " + changes.lowerings() + " lowerings)",
                limiter, gauge, workload, started);
    }

    private void assertIdle(JobLimiter limiter, ConcurrencyGauge gauge, LimiterWorkload workload) {
        long calls = workload.calls.sum();
        // Grants handed to the executor and timed-out waits finish asynchronously: bounded wait.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
                .until(() -> workload.completed.sum() == calls && limiter.inFlight() == 0
                        && limiter.waiting() == 0 && gauge.running() == 0);

        assertThat(violations.count()).as(violations.toString()).isZero();
        assertThat(workload.completed.sum()).as("callers completed exactly once").isEqualTo(calls);
        assertThat(limiter.inFlight()).as("in flight").isZero();
        assertThat(limiter.available()).as("available").isEqualTo(limiter.limit());
        assertThat(limiter.waiting()).as("waiting").isZero();
        assertThat(gauge.running()).as("operations still running").isZero();

        long gaveUp = workload.callerCancels.sum() + workload.disposals.sum();
        // Every permit starts one operation, except a permit granted to a caller that just gave up.
        assertThat(limiter.permittedCount()).isBetween(gauge.started(), gauge.started() + gaveUp);
        // Every rejection reaches its caller, except one racing with the caller giving up.
        assertThat(limiter.rejectedCount()).isBetween(workload.rejected.sum(), workload.rejected.sum() + gaveUp);
    }

    private static void report(String scenario, JobLimiter limiter, ConcurrencyGauge gauge, LimiterWorkload workload,
            long startedNanos) {
        long faults = workload.syncThrows.sum() + workload.failedFutures.sum() + workload.laterFailures.sum()
                + workload.operationCancels.sum() + workload.callerCancels.sum() + workload.disposals.sum();
        System.out.printf("RELIABILITY limit %s: calls=%d completed=%d succeeded=%d rejected=%d | faults=%d "
                        + "(syncThrows=%d failedFutures=%d laterFailures=%d operationCancels=%d callerCancels=%d "
                        + "monoDisposals=%d, of which racing the subscription=%d) | operationsStarted=%d maxConcurrent=%d limit=%d | permitsLeaked=%d "
                        + "inFlight=%d available=%d waiting=%d | %d ms%n",
                scenario, workload.calls.sum(), workload.completed.sum(), workload.succeeded.sum(),
                workload.rejected.sum(), faults, workload.syncThrows.sum(), workload.failedFutures.sum(),
                workload.laterFailures.sum(), workload.operationCancels.sum(), workload.callerCancels.sum(),
                workload.disposals.sum(), workload.disposalsRacingSubscription.sum(), gauge.started(), gauge.maxRunning(), limiter.limit(),
                limiter.limit() - limiter.available(), limiter.inFlight(), limiter.available(), limiter.waiting(),
                (System.nanoTime() - startedNanos) / 1_000_000);
    }
}
