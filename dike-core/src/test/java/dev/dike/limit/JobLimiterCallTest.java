package dev.dike.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.dike.time.ManualDelayScheduler;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** {@link JobLimiter#call}: synchronous callers, which may block while they wait. */
class JobLimiterCallTest {

    private final ManualDelayScheduler scheduler = new ManualDelayScheduler();
    private final QueueExecutor executor = new QueueExecutor();

    private JobLimiter limiter(int limit, Duration maxWait) {
        return JobLimiter.builder("jobs").limit(limit).maxWait(maxWait).scheduler(scheduler).executor(executor).build();
    }

    /** Starts a thread that calls the limiter and records the outcome in {@code outcomes}. */
    private static Thread caller(JobLimiter limiter, String label, List<String> outcomes) {
        Thread thread = new Thread(() -> {
            try {
                // Recorded while the permit is held: after call() returns, the next caller may already run.
                limiter.call(() -> outcomes.add(label));
            } catch (Exception e) {
                outcomes.add(label + ": " + e);
            }
        }, "caller-" + label);
        thread.start();
        return thread;
    }

    @Test
    void returnsTheResultAndReleasesThePermit() throws Exception {
        JobLimiter limiter = limiter(1, Duration.ZERO);

        assertThat(limiter.call(() -> "value")).isEqualTo("value");
        assertThat(limiter.call(() -> "again")).isEqualTo("again");
        assertThat(limiter.inFlight()).isZero();
    }

    @Test
    void aThrowingOperationReleasesThePermitAndItsExceptionReachesTheCaller() {
        JobLimiter limiter = limiter(1, Duration.ZERO);
        IOException failure = new IOException("disk full");

        assertThatThrownBy(() -> limiter.call(() -> {
            throw failure;
        })).isSameAs(failure);
        assertThat(limiter.inFlight()).isZero();
    }

    @Test
    void aCallWhileTheLimitIsReachedIsRejectedAtOnceByThrowing() throws Exception {
        JobLimiter limiter = limiter(2, Duration.ZERO);

        String result = limiter.call(() -> limiter.call(() ->
                assertThatThrownBy(() -> limiter.call(() -> "third"))
                        .isInstanceOf(TooManyCallsException.class)
                        .hasMessage("Too many calls to jobs! limit=2 exceeded")
                        .actual().getMessage()));

        assertThat(result).isEqualTo("Too many calls to jobs! limit=2 exceeded");
        assertThat(limiter.inFlight()).isZero();
        assertThat(limiter.rejectedCount()).isEqualTo(1);
    }

    @Test
    void anAsyncOperationInFlightCountsAgainstSynchronousCalls() {
        JobLimiter limiter = limiter(1, Duration.ZERO);
        CompletableFuture<String> op = new CompletableFuture<>();
        limiter.executeAsync(() -> op);

        assertThatThrownBy(() -> limiter.call(() -> "sync")).isInstanceOf(TooManyCallsException.class);
        op.complete("done");
        assertThat(limiter.inFlight()).isZero();
    }

    @Test
    void blockedCallersGetThePermitInArrivalOrder() throws Exception {
        JobLimiter limiter = limiter(1, Duration.ofMinutes(1));
        List<String> outcomes = new CopyOnWriteArrayList<>();
        assertThat(limiter.tryAcquire()).isTrue();

        // The waiting count rises just before a caller joins the queue; a parked thread has joined it.
        Thread first = caller(limiter, "first", outcomes);
        await().until(() -> limiter.waiting() == 1 && first.getState() == Thread.State.WAITING);
        Thread second = caller(limiter, "second", outcomes);
        await().until(() -> limiter.waiting() == 2 && second.getState() == Thread.State.WAITING);
        limiter.release();
        first.join(10_000);
        second.join(10_000);

        assertThat(outcomes).containsExactly("first", "second");
        assertThat(limiter.inFlight()).isZero();
        assertThat(limiter.waiting()).isZero();
        assertThat(scheduler.pendingTasks()).isZero();
    }

    @Test
    void aBlockedCallerIsRejectedAfterMaxWait() throws Exception {
        JobLimiter limiter = limiter(1, Duration.ofMillis(100));
        List<String> outcomes = new CopyOnWriteArrayList<>();
        assertThat(limiter.tryAcquire()).isTrue();

        Thread blocked = caller(limiter, "blocked", outcomes);
        await().until(() -> limiter.waiting() == 1 && scheduler.pendingTasks() == 1);
        scheduler.advance(99, TimeUnit.MILLISECONDS);
        assertThat(blocked.isAlive()).isTrue();
        scheduler.advance(1, TimeUnit.MILLISECONDS);
        blocked.join(10_000);

        assertThat(outcomes).containsExactly(
                "blocked: dev.dike.limit.TooManyCallsException: Too many calls to jobs! limit=1 exceeded");
        assertThat(limiter.waiting()).isZero();
        assertThat(limiter.rejectedCount()).isEqualTo(1);
        limiter.release();
        assertThat(limiter.inFlight()).isZero();
    }

    @Test
    void anInterruptedWaitFailsWithInterruptedExceptionAndLeavesNothingBehind() throws Exception {
        JobLimiter limiter = limiter(1, Duration.ofMinutes(1));
        List<String> outcomes = new CopyOnWriteArrayList<>();
        assertThat(limiter.tryAcquire()).isTrue();

        Thread blocked = caller(limiter, "blocked", outcomes);
        await().until(() -> limiter.waiting() == 1 && blocked.getState() == Thread.State.WAITING);
        blocked.interrupt();
        blocked.join(10_000);

        assertThat(outcomes).singleElement().asString()
                .startsWith("blocked: java.lang.InterruptedException: Interrupted while waiting for a permit of limiter jobs");
        assertThat(limiter.waiting()).isZero();
        assertThat(scheduler.pendingTasks()).isZero();
        limiter.release();
        assertThat(limiter.inFlight()).isZero();
        assertThat(limiter.call(() -> "free")).isEqualTo("free");
    }

    @Test
    void aBlockedCallerIsServedBeforeLaterAsyncCallsAndViceVersa() throws Exception {
        JobLimiter limiter = limiter(1, Duration.ofMinutes(1));
        CompletableFuture<String> op = new CompletableFuture<>();
        limiter.executeAsync(() -> op);
        CountDownLatch syncRunning = new CountDownLatch(1);
        CountDownLatch finishSync = new CountDownLatch(1);
        List<String> order = new CopyOnWriteArrayList<>();
        Thread sync = new Thread(() -> {
            try {
                limiter.call(() -> {
                    order.add("sync");
                    syncRunning.countDown();
                    finishSync.await();
                    return null;
                });
            } catch (Exception e) {
                order.add(e.toString());
            }
        });
        sync.start();
        await().until(() -> limiter.waiting() == 1 && sync.getState() == Thread.State.WAITING);
        CompletableFuture<String> later = limiter.executeAsync(() -> {
            order.add("async");
            return CompletableFuture.completedFuture("later");
        });

        op.complete("done");
        syncRunning.await(10, TimeUnit.SECONDS);
        executor.runAll();
        assertThat(order).containsExactly("sync");
        finishSync.countDown();
        sync.join(10_000);
        executor.runAll();

        assertThat(order).containsExactly("sync", "async");
        assertThat(later).isCompletedWithValue("later");
        assertThat(limiter.inFlight()).isZero();
    }
}
