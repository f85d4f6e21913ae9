package dev.dike.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.dike.time.ManualDelayScheduler;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** Building, the raw permit primitive, runtime limit changes, live figures and the listener. */
class JobLimiterTest {

    private final ManualDelayScheduler scheduler = new ManualDelayScheduler();
    private final QueueExecutor executor = new QueueExecutor();
    private final RecordingListener listener = new RecordingListener();

    private JobLimiter limiter(int limit, Duration maxWait) {
        return JobLimiter.builder("jobs").limit(limit).maxWait(maxWait)
                .scheduler(scheduler).executor(executor).listener(listener).build();
    }

    @Test
    void releaseWithoutAPermitFailsClearlyAndLeavesTheCountAsItWas() {
        JobLimiter limiter = limiter(2, Duration.ZERO);
        assertThat(limiter.tryAcquire()).isTrue();
        limiter.release();

        assertThatThrownBy(limiter::release).isInstanceOf(IllegalStateException.class)
                .hasMessage("release() without a permit held on limiter jobs");
        assertThat(limiter.inFlight()).isZero();
        assertThat(limiter.available()).isEqualTo(2);
        assertThat(limiter.tryAcquire()).isTrue();
        assertThat(limiter.tryAcquire()).isTrue();
        assertThat(limiter.tryAcquire()).isFalse();
    }

    @Test
    void negativeLimitFailsAtBuildNamingLimiterAndValue() {
        assertThatThrownBy(() -> JobLimiter.of("jobs", -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid limit '-1' for jobs: must be at least 0");
    }

    @Test
    void limitIsRequired() {
        assertThatThrownBy(() -> JobLimiter.builder("jobs").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Missing limit for jobs: required, at least 0");
    }

    @Test
    void negativeMaxWaitFailsAtBuild() {
        assertThatThrownBy(() -> JobLimiter.builder("jobs").limit(1).maxWait(Duration.ofMillis(-5)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid maxWait 'PT-0.005S' for jobs: must not be negative");
    }

    @Test
    void tryAcquireTakesAtMostLimitPermitsAndReleaseGivesThemBack() {
        JobLimiter limiter = limiter(2, Duration.ZERO);

        assertThat(limiter.tryAcquire()).isTrue();
        assertThat(limiter.tryAcquire()).isTrue();
        assertThat(limiter.tryAcquire()).isFalse();
        assertThat(limiter.inFlight()).isEqualTo(2);
        assertThat(limiter.available()).isZero();

        limiter.release();
        assertThat(limiter.available()).isEqualTo(1);
        assertThat(limiter.tryAcquire()).isTrue();
        limiter.release();
        limiter.release();

        assertThat(limiter.inFlight()).isZero();
        assertThat(limiter.available()).isEqualTo(2);
        assertThat(limiter.permittedCount()).isEqualTo(3);
        assertThat(limiter.rejectedCount()).isEqualTo(1);
        assertThat(listener.events).containsExactly(
                "permitted jobs 0", "permitted jobs 0", "rejected jobs 0", "permitted jobs 0");
    }

    @Test
    void releaseWithoutPermitFailsAndLeavesTheCountIntact() {
        JobLimiter limiter = limiter(1, Duration.ZERO);

        assertThatThrownBy(limiter::release)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("jobs");
        assertThat(limiter.inFlight()).isZero();
        assertThat(limiter.available()).isEqualTo(1);
    }

    @Test
    void limitZeroRejectsEveryCall() {
        JobLimiter limiter = limiter(0, Duration.ZERO);

        assertThat(limiter.tryAcquire()).isFalse();
        assertThatThrownBy(() -> limiter.call(() -> "never"))
                .isInstanceOf(TooManyCallsException.class)
                .hasMessage("Too many calls to jobs! limit=0 exceeded");
        assertThat(limiter.executeAsync(() -> CompletableFuture.completedFuture("never")))
                .failsWithin(Duration.ZERO)
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(TooManyCallsException.class);
        assertThat(limiter.rejectedCount()).isEqualTo(3);
        assertThat(limiter.permittedCount()).isZero();
    }

    @Test
    void settingANegativeLimitFailsAndKeepsTheOldOne() {
        JobLimiter limiter = limiter(3, Duration.ZERO);

        assertThatThrownBy(() -> limiter.setLimit(-2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid limit '-2' for jobs: must be at least 0");
        assertThat(limiter.limit()).isEqualTo(3);
        assertThat(listener.events).isEmpty();
    }

    @Test
    void loweringTheLimitLetsCallsInFlightFinishAndAdmitsOnlyBelowTheNewLimit() {
        JobLimiter limiter = limiter(3, Duration.ZERO);
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.tryAcquire()).isTrue();
        }

        limiter.setLimit(1);

        assertThat(limiter.limit()).isEqualTo(1);
        assertThat(limiter.inFlight()).isEqualTo(3);
        assertThat(limiter.available()).isZero();
        limiter.release();
        limiter.release();
        assertThat(limiter.tryAcquire()).isFalse(); // one still in flight, new limit 1
        limiter.release();
        assertThat(limiter.tryAcquire()).isTrue();
        assertThat(listener.events).contains("limit jobs 3->1");
    }

    @Test
    void raisingTheLimitAdmitsWaitingCallsAtOnceInOrder() {
        JobLimiter limiter = limiter(1, Duration.ofSeconds(1));
        assertThat(limiter.tryAcquire()).isTrue();
        StringBuilder started = new StringBuilder();
        CompletableFuture<String> first = limiter.executeAsync(() -> {
            started.append('1');
            return new CompletableFuture<>();
        });
        CompletableFuture<String> second = limiter.executeAsync(() -> {
            started.append('2');
            return new CompletableFuture<>();
        });
        CompletableFuture<String> third = limiter.executeAsync(() -> {
            started.append('3');
            return new CompletableFuture<>();
        });
        assertThat(limiter.waiting()).isEqualTo(3);

        limiter.setLimit(3);
        executor.runAll();

        assertThat(started).hasToString("12");
        assertThat(limiter.waiting()).isEqualTo(1);
        assertThat(limiter.inFlight()).isEqualTo(3);
        assertThat(third).isNotDone();
        assertThat(first).isNotDone();
        assertThat(second).isNotDone();
        assertThat(listener.events).contains("limit jobs 1->3");
    }

    @Test
    void settingTheSameLimitIsNotReported() {
        JobLimiter limiter = limiter(2, Duration.ZERO);

        limiter.setLimit(2);

        assertThat(listener.events).isEmpty();
    }

    @Test
    void liveFiguresFollowTheCalls() {
        JobLimiter limiter = limiter(2, Duration.ofMillis(500));
        CompletableFuture<String> running = new CompletableFuture<>();
        limiter.executeAsync(() -> running);
        limiter.executeAsync(() -> running);
        CompletableFuture<String> waiting = limiter.executeAsync(() -> CompletableFuture.completedFuture("late"));

        assertThat(limiter.inFlight()).isEqualTo(2);
        assertThat(limiter.available()).isZero();
        assertThat(limiter.waiting()).isEqualTo(1);
        assertThat(limiter.permittedCount()).isEqualTo(2);

        scheduler.advance(500, TimeUnit.MILLISECONDS);
        executor.runAll();

        assertThat(waiting).isCompletedExceptionally();
        assertThat(limiter.waiting()).isZero();
        assertThat(limiter.rejectedCount()).isEqualTo(1);
        running.complete("done");
        assertThat(limiter.inFlight()).isZero();
        assertThat(limiter.available()).isEqualTo(2);
        assertThat(listener.events).containsExactly(
                "permitted jobs 0", "permitted jobs 0", "rejected jobs " + TimeUnit.MILLISECONDS.toNanos(500));
    }

    @Test
    void listenerHearsHowLongAGrantedCallWaited() {
        JobLimiter limiter = limiter(1, Duration.ofSeconds(1));
        CompletableFuture<String> running = new CompletableFuture<>();
        limiter.executeAsync(() -> running);
        limiter.executeAsync(() -> CompletableFuture.completedFuture("second"));

        scheduler.advance(300, TimeUnit.MILLISECONDS);
        running.complete("first");

        assertThat(listener.events).containsExactly(
                "permitted jobs 0", "permitted jobs " + TimeUnit.MILLISECONDS.toNanos(300));
    }

    @Test
    void aThrowingListenerNeverBreaksTheLimiter() throws Exception {
        LimitListener broken = new LimitListener() {
            @Override
            public void onPermitted(String name, long waitNanos) {
                throw new IllegalStateException("metrics down");
            }

            @Override
            public void onRejected(String name, long waitNanos) {
                throw new AssertionError("metrics down");
            }

            @Override
            public void onLimitChanged(String name, int oldLimit, int newLimit) {
                throw new IllegalStateException("metrics down");
            }
        };
        JobLimiter limiter = JobLimiter.builder("jobs").limit(1).maxWait(Duration.ofSeconds(1))
                .scheduler(scheduler).executor(executor).listener(broken).build();

        CompletableFuture<String> running = new CompletableFuture<>();
        CompletableFuture<String> first = limiter.executeAsync(() -> running);
        CompletableFuture<String> second = limiter.executeAsync(() -> CompletableFuture.completedFuture("b"));
        CompletableFuture<String> third = limiter.executeAsync(() -> CompletableFuture.completedFuture("c"));
        running.complete("a");
        executor.runAll();
        scheduler.advance(1, TimeUnit.SECONDS);
        executor.runAll();
        limiter.setLimit(2);

        assertThat(first).isCompletedWithValue("a");
        assertThat(second).isCompletedWithValue("b");
        assertThat(third).isCompletedWithValue("c");
        assertThat(limiter.call(() -> "d")).isEqualTo("d");
        assertThat(limiter.inFlight()).isZero();
        assertThat(limiter.waiting()).isZero();
        assertThat(limiter.permittedCount()).isEqualTo(4);
        limiter.setLimit(0);
        assertThat(limiter.tryAcquire()).isFalse();
        assertThat(limiter.rejectedCount()).isEqualTo(1);
    }

    @Test
    void theUncontendedPathsAllocateNothing() throws Exception {
        java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        assumeTrue(threads instanceof com.sun.management.ThreadMXBean);
        com.sun.management.ThreadMXBean allocations = (com.sun.management.ThreadMXBean) threads;
        assumeTrue(allocations.isThreadAllocatedMemorySupported() && allocations.isThreadAllocatedMemoryEnabled());
        JobLimiter limiter = JobLimiter.of("jobs", 4);
        Callable<String> operation = () -> "result";
        long threadId = Thread.currentThread().getId();
        acquireReleaseAndCall(limiter, operation, 20_000); // warm-up: class loading and lambda linkage allocate

        long before = allocations.getThreadAllocatedBytes(threadId);
        acquireReleaseAndCall(limiter, operation, 100_000);
        long allocated = allocations.getThreadAllocatedBytes(threadId) - before;

        assertThat(allocated).as("bytes allocated by 100,000 tryAcquire/release/call rounds").isLessThan(1_024);
        assertThat(limiter.permittedCount()).isEqualTo(240_000);
    }

    private static void acquireReleaseAndCall(JobLimiter limiter, Callable<String> operation, int rounds)
            throws Exception {
        for (int i = 0; i < rounds; i++) {
            if (limiter.tryAcquire()) {
                limiter.release();
            }
            limiter.call(operation);
        }
    }

    @Test
    void toStringNamesTheLimiter() {
        assertThat(limiter(4, Duration.ofMillis(50))).hasToString("JobLimiter[jobs, limit=4, maxWait=PT0.05S]");
    }
}
