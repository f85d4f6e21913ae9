package dev.dike.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Retrier#executeAsync} with a zero delay: the next attempt starts at once on the thread that
 * saw the failure, never through the scheduler or the executor, and however many attempts fail
 * synchronously the stack stays flat.
 */
class RetrierZeroDelayTest extends RetryFixture {

    private static final int DEEP = 100_000;
    /** Shared and without a stack trace: a hundred thousand attempts fail with it. */
    static final RuntimeException FAILURE = new RuntimeException("again", null, false, false) { };

    private final UnusableHandOffs unusable = new UnusableHandOffs();

    RetrierZeroDelayTest() {
        super("orders");
    }

    /** The ways an attempt can have failed by the time the operation returns. */
    enum SynchronousFailure {
        FAILED_FUTURE {
            @Override
            CompletionStage<String> attempt() {
                return CompletableFuture.failedFuture(FAILURE);
            }
        },
        MINIMAL_FAILED_STAGE {
            @Override
            CompletionStage<String> attempt() {
                return CompletableFuture.failedStage(FAILURE);
            }
        },
        /** Not a CompletableFuture: the retrier can only ask it to call back, which it does at once. */
        FOREIGN_FAILED_STAGE {
            @Override
            CompletionStage<String> attempt() {
                return RetrierAsyncTest.stageWithoutToCompletableFuture(CompletableFuture.failedFuture(FAILURE));
            }
        },
        THROWN {
            @Override
            CompletionStage<String> attempt() {
                throw FAILURE;
            }
        },
        NULL {
            @Override
            CompletionStage<String> attempt() {
                return null;
            }
        };

        abstract CompletionStage<String> attempt();
    }

    @Test
    void zeroDelayRetriesUseNeitherTheSchedulerNorTheExecutor() {
        AtomicInteger calls = new AtomicInteger();
        Retrier retrier = unusable.retrier("orders", RetryConfig.builder().attempts(3), listener);

        CompletableFuture<String> result = retrier.executeAsync(() -> calls.incrementAndGet() < 3
                ? CompletableFuture.failedFuture(new IllegalStateException("fail " + calls))
                : CompletableFuture.completedFuture("ok"));

        assertThat(result).isCompletedWithValue("ok");
        assertThat(calls).hasValue(3);
        assertThat(unusable.uses).hasValue(0);
        assertThat(log.warnings()).containsExactly(
                "Caught exception java.lang.IllegalStateException: fail 1. Retrying in 0s ...",
                "Caught exception java.lang.IllegalStateException: fail 2. Retrying in 0s ...");
        assertThat(listener.events).containsExactly("retry orders #1 fail 1 in 0ns", "retry orders #2 fail 2 in 0ns",
                "completed orders SUCCESS_WITH_RETRY after 3");
    }

    @Test
    void zeroDelayRetryStartsOnTheThreadThatCompletedTheFailedAttempt() throws Exception {
        CompletableFuture<String> first = new CompletableFuture<>();
        AtomicReference<String> secondAttemptThread = new AtomicReference<>();
        AtomicInteger calls = new AtomicInteger();
        Retrier retrier = unusable.retrier("orders", RetryConfig.builder().attempts(2), listener);

        CompletableFuture<String> result = retrier.executeAsync(() -> {
            if (calls.incrementAndGet() == 1) {
                return first;
            }
            secondAttemptThread.set(Thread.currentThread().getName());
            return CompletableFuture.completedFuture("ok");
        });
        Thread completer = new Thread(() -> first.completeExceptionally(FAILURE), "attempt-completer");
        completer.start();
        completer.join(TimeUnit.SECONDS.toMillis(10));

        assertThat(result).isCompletedWithValue("ok");
        assertThat(secondAttemptThread).hasValue("attempt-completer");
        assertThat(unusable.uses).hasValue(0);
    }

    /** With jitter 1 and r = 0 a delay is zero: one call can mix both paths. */
    @Test
    void nonZeroDelaysStillGoThroughTheSchedulerAndTheExecutor() {
        Queue<Runnable> executorQueue = new ArrayDeque<>();
        double[] randoms = {0.0, 0.75, 0.0};
        AtomicInteger draw = new AtomicInteger();
        AtomicInteger calls = new AtomicInteger();
        Retrier retrier = Retrier.builder("mixed").scheduler(scheduler).executor(executorQueue::add).listener(listener)
                .random(() -> randoms[draw.getAndIncrement()])
                .config(RetryConfig.builder().attempts(4).delay(Duration.ofMillis(10)).jitter(1).build()).build();

        CompletableFuture<String> result = retrier.executeAsync(() -> calls.incrementAndGet() <= 3
                ? CompletableFuture.failedFuture(new IllegalStateException("fail " + calls))
                : CompletableFuture.completedFuture("ok"));

        assertThat(calls).as("attempt 2 follows a zero delay at once").hasValue(2);
        assertThat(executorQueue).isEmpty();
        assertThat(scheduler.pendingDelaysNanos()).containsExactly(TimeUnit.MILLISECONDS.toNanos(15));
        scheduler.advance(15, TimeUnit.MILLISECONDS);
        assertThat(calls).as("the timer task only hands attempt 3 to the executor").hasValue(2);
        assertThat(executorQueue).hasSize(1);
        executorQueue.poll().run();

        assertThat(calls).as("attempt 4 follows a zero delay on the executor's thread").hasValue(4);
        assertThat(result).isCompletedWithValue("ok");
        assertThat(executorQueue).isEmpty();
        assertThat(scheduler.pendingTasks()).isZero();
        assertThat(listener.events).containsExactly("retry mixed #1 fail 1 in 0ns", "retry mixed #2 fail 2 in 15000000ns",
                "retry mixed #3 fail 3 in 0ns", "completed mixed SUCCESS_WITH_RETRY after 4");
    }

    @ParameterizedTest
    @EnumSource(SynchronousFailure.class)
    void manySynchronousFailuresInARowDoNotOverflowTheStack(SynchronousFailure failure) {
        AtomicInteger calls = new AtomicInteger();
        CountingListener counting = new CountingListener();
        Retrier retrier = unusable.retrier("deep", RetryConfig.builder().attempts(DEEP + 1), counting);

        CompletableFuture<String> result;
        try (RetryLogCapture.Silence quiet = RetryLogCapture.silence()) {
            result = retrier.executeAsync(() -> calls.incrementAndGet() <= DEEP ? failure.attempt()
                    : CompletableFuture.completedFuture("ok"));
        }

        // A StackOverflowError would have been a failed attempt that is never retried.
        assertThat(result).isCompletedWithValue("ok");
        assertThat(calls).hasValue(DEEP + 1);
        assertThat(counting.retries.sum()).isEqualTo(DEEP);
        assertThat(counting.completed.sum()).isEqualTo(1);
        assertThat(unusable.uses).hasValue(0);
    }

    /** The chain then runs on the thread that completed the first attempt, out of its callback. */
    @ParameterizedTest
    @EnumSource(value = SynchronousFailure.class, names = {"FAILED_FUTURE", "FOREIGN_FAILED_STAGE"})
    void manySynchronousFailuresAfterALateOneDoNotOverflowTheStack(SynchronousFailure failure) {
        CompletableFuture<String> first = new CompletableFuture<>();
        AtomicInteger calls = new AtomicInteger();
        Retrier retrier = unusable.retrier("deep", RetryConfig.builder().attempts(DEEP + 1), RetryListener.NONE);
        CompletableFuture<String> result = retrier.executeAsync(() -> {
            int call = calls.incrementAndGet();
            return call == 1 ? first : call <= DEEP ? failure.attempt() : CompletableFuture.completedFuture("ok");
        });

        try (RetryLogCapture.Silence quiet = RetryLogCapture.silence()) {
            first.completeExceptionally(FAILURE);
        }

        assertThat(result).isCompletedWithValue("ok");
        assertThat(calls).hasValue(DEEP + 1);
    }

    @Test
    void cancellingFromInsideAZeroDelayChainStopsIt() {
        CompletableFuture<String> first = new CompletableFuture<>();
        AtomicReference<CompletableFuture<String>> result = new AtomicReference<>();
        AtomicInteger calls = new AtomicInteger();
        Retrier retrier = unusable.retrier("orders", RetryConfig.builder().attempts(RetryConfig.UNLIMITED_ATTEMPTS),
                listener);
        result.set(retrier.executeAsync(() -> {
            int call = calls.incrementAndGet();
            if (call == 50) {
                result.get().cancel(false); // the caller gives up while attempt 50 is being made
            }
            return call == 1 ? first : CompletableFuture.failedFuture(new IllegalStateException("fail " + call));
        }));

        first.completeExceptionally(new IllegalStateException("fail 1"));

        assertThat(result.get()).isCancelled();
        assertThat(calls).hasValue(50);
        assertThat(listener.events).hasSize(49).last().isEqualTo("retry orders #49 fail 49 in 0ns");
        assertThat(unusable.uses).hasValue(0);
    }

    @Test
    void cancellingFromAnotherThreadStopsAnEndlessZeroDelayChain() throws Exception {
        CompletableFuture<String> first = new CompletableFuture<>();
        AtomicInteger calls = new AtomicInteger();
        CountingListener counting = new CountingListener();
        Retrier retrier = unusable.retrier("endless", RetryConfig.builder().attempts(RetryConfig.UNLIMITED_ATTEMPTS),
                counting);
        CompletableFuture<String> result = retrier.executeAsync(() -> calls.incrementAndGet() == 1 ? first
                : CompletableFuture.failedFuture(FAILURE));

        try (RetryLogCapture.Silence quiet = RetryLogCapture.silence()) {
            // Every attempt after the first fails at once: only the cancellation can end this thread's loop.
            Thread chain = new Thread(() -> first.completeExceptionally(FAILURE), "endless-chain");
            chain.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() >= 10_000);
            assertThat(result.cancel(false)).isTrue();
            chain.join(TimeUnit.SECONDS.toMillis(10));
            assertThat(chain.isAlive()).as("the chain still runs after the cancellation").isFalse();
        }

        int callsAfterCancel = calls.get();
        assertThat(result).isCancelled();
        // The cancellation may land between an attempt's retry event and the next attempt.
        assertThat(counting.retries.sum()).isBetween(callsAfterCancel - 1L, (long) callsAfterCancel);
        assertThat(counting.completed.sum()).as("no end is reported for a call the caller cancelled").isZero();
        assertThat(unusable.uses).hasValue(0);
    }
}
