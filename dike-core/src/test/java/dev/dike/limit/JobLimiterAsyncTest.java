package dev.dike.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dike.time.ManualDelayScheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link JobLimiter#executeAsync}: permits held until the operation's future completes. */
class JobLimiterAsyncTest {

    private final ManualDelayScheduler scheduler = new ManualDelayScheduler();
    private final QueueExecutor executor = new QueueExecutor();
    /** How many times {@link #countedOperation()} was started. */
    private final AtomicInteger starts = new AtomicInteger();

    private JobLimiter limiter(int limit) {
        return limiter(limit, Duration.ZERO);
    }

    private JobLimiter limiter(int limit, Duration maxWait) {
        return JobLimiter.builder("jobs").limit(limit).maxWait(maxWait).scheduler(scheduler).executor(executor).build();
    }

    /** Takes a permit with an operation that completes when the test completes the returned future. */
    private static CompletableFuture<String> holdPermit(JobLimiter limiter) {
        CompletableFuture<String> operation = new CompletableFuture<>();
        limiter.executeAsync(() -> operation);
        return operation;
    }

    /** An operation that counts its starts in {@link #starts} and never completes. */
    private Supplier<CompletionStage<String>> countedOperation() {
        return () -> {
            starts.incrementAndGet();
            return new CompletableFuture<>();
        };
    }

    private static Throwable failureOf(CompletableFuture<?> future) {
        assertThat(future).isCompletedExceptionally();
        return future.handle((value, error) -> error).join();
    }

    @Test
    void thirdConcurrentCallIsRejectedWithTheExactMessageAndNeverStarts() {
        JobLimiter limiter = limiter(2);
        CompletableFuture<String> op1 = new CompletableFuture<>();
        CompletableFuture<String> op2 = new CompletableFuture<>();
        AtomicInteger thirdStarts = new AtomicInteger();

        CompletableFuture<String> first = limiter.executeAsync(() -> op1);
        CompletableFuture<String> second = limiter.executeAsync(() -> op2);
        CompletableFuture<String> third = limiter.executeAsync(() -> {
            thirdStarts.incrementAndGet();
            return new CompletableFuture<>();
        });

        assertThat(failureOf(third))
                .isInstanceOf(TooManyCallsException.class)
                .hasMessage("Too many calls to jobs! limit=2 exceeded");
        TooManyCallsException rejection = (TooManyCallsException) failureOf(third);
        assertThat(rejection.limiterName()).isEqualTo("jobs");
        assertThat(rejection.limit()).isEqualTo(2);
        assertThat(thirdStarts).hasValue(0);
        op1.complete("a");
        op2.complete("b");
        assertThat(first).isCompletedWithValue("a");
        assertThat(second).isCompletedWithValue("b");
        assertThat(limiter.inFlight()).isZero();
        assertThat(limiter.permittedCount()).isEqualTo(2);
        assertThat(limiter.rejectedCount()).isEqualTo(1);
    }

    @Test
    void permitIsHeldUntilTheFutureCompletesNotUntilTheOperationReturns() {
        JobLimiter limiter = limiter(1);
        CompletableFuture<String> op = new CompletableFuture<>();

        CompletableFuture<String> result = limiter.executeAsync(() -> op);

        assertThat(limiter.inFlight()).isEqualTo(1);
        assertThat(failureOf(limiter.executeAsync(() -> op))).isInstanceOf(TooManyCallsException.class);
        op.complete("done");
        assertThat(result).isCompletedWithValue("done");
        assertThat(limiter.inFlight()).isZero();
    }

    @Test
    void sequentialCallsAreNeverRejected() {
        JobLimiter limiter = limiter(1);
        for (int i = 0; i < 100; i++) {
            int value = i;
            assertThat(limiter.executeAsync(() -> CompletableFuture.completedFuture(value))).isCompletedWithValue(i);
        }
        assertThat(limiter.rejectedCount()).isZero();
    }

    @Test
    void aCallChainedFromTheCompletionOfThePreviousOneIsNeverRejected() {
        JobLimiter limiter = limiter(1);
        CompletableFuture<String> op = new CompletableFuture<>();

        CompletableFuture<String> chained = limiter.executeAsync(() -> op)
                .thenCompose(first -> limiter.executeAsync(() -> CompletableFuture.completedFuture(first + "+second")));
        CompletableFuture<String> chainedOnFailure = new CompletableFuture<>();
        CompletableFuture<String> failing = new CompletableFuture<>();
        limiter.executeAsync(() -> failing); // rejected: the permit is taken by the first call

        op.complete("first");

        assertThat(chained).isCompletedWithValue("first+second");
        limiter.executeAsync(() -> failing).whenComplete((v, e) ->
                limiter.executeAsync(() -> CompletableFuture.completedFuture("after failure"))
                        .whenComplete((value, error) -> chainedOnFailure.complete(value)));
        failing.completeExceptionally(new IllegalStateException("boom"));
        assertThat(chainedOnFailure).isCompletedWithValue("after failure");
    }

    @Test
    void oneLimiterSharedByTwoOperationsSharesOneCounter() {
        JobLimiter limiter = limiter(1);
        CompletableFuture<String> fetch = new CompletableFuture<>();

        limiter.executeAsync(() -> fetch);
        CompletableFuture<Integer> store = limiter.executeAsync(() -> CompletableFuture.completedFuture(1));

        assertThat(failureOf(store)).isInstanceOf(TooManyCallsException.class);
        fetch.complete("x");
        assertThat(limiter.executeAsync(() -> CompletableFuture.completedFuture(2))).isCompletedWithValue(2);
    }

    @Test
    void failureOfTheOperationReachesTheCallerUnwrappedAndReleasesThePermit() {
        JobLimiter limiter = limiter(1);
        IllegalStateException boom = new IllegalStateException("boom");
        CompletableFuture<String> op = new CompletableFuture<>();

        CompletableFuture<String> direct = limiter.executeAsync(() -> op);
        op.completeExceptionally(boom);
        CompletableFuture<String> wrapped = limiter.executeAsync(
                () -> CompletableFuture.<String>failedFuture(boom).thenApply(value -> value));

        assertThat(failureOf(direct)).isSameAs(boom);
        assertThat(failureOf(wrapped)).isSameAs(boom);
        assertThat(limiter.inFlight()).isZero();
    }

    @Test
    void anAlreadySucceededFutureReachesTheCallerAsItIsWithThePermitReleased() {
        JobLimiter limiter = limiter(1);
        CompletableFuture<String> cached = CompletableFuture.completedFuture("cached");

        CompletableFuture<String> result = limiter.executeAsync(() -> cached);

        assertThat(result).isSameAs(cached);
        assertThat(limiter.inFlight()).isZero();
        assertThat(limiter.executeAsync(() -> cached)).isSameAs(cached);
    }

    /** Futures complete before the operation returns are read at once; minimal stages' isDone() throws. */
    @ParameterizedTest
    @ValueSource(strings = {"full", "minimal"})
    void operationsWhoseFutureIsAlreadyCompleteReleaseThePermitAndPassTheOutcomeOn(String kind) {
        JobLimiter limiter = limiter(1);
        IllegalStateException boom = new IllegalStateException("boom");
        boolean minimal = kind.equals("minimal");

        CompletableFuture<String> ok = limiter.executeAsync(() -> minimal
                ? CompletableFuture.completedStage("done") : CompletableFuture.completedFuture("done"));
        assertThat(ok).isCompletedWithValue("done");
        assertThat(limiter.inFlight()).isZero();

        CompletableFuture<String> failed = limiter.executeAsync(() -> minimal
                ? CompletableFuture.<String>failedStage(boom) : CompletableFuture.<String>failedFuture(boom));
        assertThatThrownBy(failed::join).isInstanceOf(CompletionException.class).cause().isSameAs(boom);
        assertThat(limiter.inFlight()).isZero();
        assertThat(limiter.permittedCount()).isEqualTo(2);
    }

    @Test
    void synchronousThrowOfTheOperationBecomesAFailedFutureAndReleasesThePermit() {
        JobLimiter limiter = limiter(1);
        IllegalArgumentException thrown = new IllegalArgumentException("bad input");

        CompletableFuture<String> result = limiter.executeAsync(() -> {
            throw thrown;
        });

        assertThat(failureOf(result)).isSameAs(thrown);
        assertThat(limiter.inFlight()).isZero();
    }

    @Test
    void nullInsteadOfAFutureFailsClearlyAndReleasesThePermit() {
        JobLimiter limiter = limiter(1);

        CompletableFuture<String> result = limiter.executeAsync(() -> null);

        assertThat(failureOf(result)).isInstanceOf(NullPointerException.class)
                .hasMessage("The operation limited by jobs returned null instead of a CompletionStage");
        assertThat(limiter.inFlight()).isZero();
    }

    @Test
    void cancellingTheResultCancelsTheOperationAndReleasesThePermit() {
        JobLimiter limiter = limiter(1);
        CompletableFuture<String> op = new CompletableFuture<>();
        CompletableFuture<String> result = limiter.executeAsync(() -> op);

        assertThat(result.cancel(true)).isTrue();

        assertThat(op).isCancelled();
        assertThat(limiter.inFlight()).isZero();
        assertThat(limiter.executeAsync(() -> CompletableFuture.completedFuture("next"))).isCompletedWithValue("next");
    }

    @Test
    void aCallChainedFromTheCancellationOfThePreviousOneIsNeverRejected() {
        JobLimiter limiter = limiter(1);
        CompletableFuture<String> result = limiter.executeAsync(() -> new CompletableFuture<String>());
        AtomicReference<CompletableFuture<String>> next = new AtomicReference<>();
        result.whenComplete((value, error) ->
                next.set(limiter.executeAsync(() -> CompletableFuture.completedFuture("next"))));

        assertThat(result.cancel(false)).isTrue();

        assertThat(result).isCancelled();
        assertThat(next.get()).isCompletedWithValue("next");
        assertThat(result.cancel(false)).as("a second cancel changes nothing").isFalse();
        assertThat(limiter.inFlight()).isZero();
    }

    @Test
    void aStageThatCannotBeCancelledKeepsItsPermitUntilItCompletes() {
        JobLimiter limiter = limiter(1);
        CompletableFuture<String> op = new CompletableFuture<>();
        CompletionStage<String> uncancellable = op.minimalCompletionStage();
        CompletableFuture<String> result = limiter.executeAsync(() -> uncancellable);

        assertThat(result.cancel(true)).isTrue();

        assertThat(op).isNotDone();
        assertThat(limiter.inFlight()).isEqualTo(1);
        op.complete("late");
        assertThat(limiter.inFlight()).isZero();
        assertThat(result).isCancelled();
    }

    @Test
    void executeAsyncNeverThrowsForARejection() {
        JobLimiter limiter = limiter(0);

        CompletableFuture<Object> result = limiter.executeAsync(() -> {
            throw new AssertionError("never called");
        });

        assertThat(failureOf(result)).isInstanceOf(TooManyCallsException.class);
    }

    @Test
    void waitingCallsGetThePermitInArrivalOrder() {
        JobLimiter limiter = limiter(1, Duration.ofSeconds(10));
        List<String> started = new ArrayList<>();
        List<CompletableFuture<String>> operations = new ArrayList<>();
        List<CompletableFuture<String>> results = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String label = "call" + i;
            CompletableFuture<String> op = new CompletableFuture<>();
            operations.add(op);
            results.add(limiter.executeAsync(() -> {
                started.add(label);
                return op;
            }));
        }
        assertThat(started).containsExactly("call0");
        assertThat(limiter.waiting()).isEqualTo(4);

        for (int i = 0; i < 5; i++) {
            operations.get(i).complete("r" + i);
            executor.runAll();
        }

        assertThat(started).containsExactly("call0", "call1", "call2", "call3", "call4");
        for (int i = 0; i < 5; i++) {
            assertThat(results.get(i)).isCompletedWithValue("r" + i);
        }
        assertThat(limiter.rejectedCount()).isZero();
        assertThat(limiter.waiting()).isZero();
        assertThat(scheduler.pendingTasks()).as("timeouts of granted calls are cancelled").isZero();
    }

    @Test
    void aHandedOverPermitStartsTheOperationOnTheExecutorNotOnTheReleasingThread() {
        JobLimiter limiter = limiter(1, Duration.ofSeconds(1));
        CompletableFuture<String> op = holdPermit(limiter);
        CompletableFuture<String> waiting = limiter.executeAsync(() -> {
            starts.incrementAndGet();
            return CompletableFuture.completedFuture("second");
        });

        op.complete("first");

        assertThat(starts).hasValue(0);
        assertThat(limiter.inFlight()).as("the permit is already handed over").isEqualTo(1);
        assertThat(limiter.waiting()).isZero();
        executor.runAll();
        assertThat(starts).hasValue(1);
        assertThat(waiting).isCompletedWithValue("second");
        assertThat(limiter.inFlight()).isZero();
    }

    @Test
    void aNewCallNeverOvertakesWaitingCalls() {
        JobLimiter limiter = limiter(1, Duration.ofSeconds(1));
        CompletableFuture<String> op = new CompletableFuture<>();
        limiter.executeAsync(() -> op);
        List<String> started = new ArrayList<>();
        limiter.executeAsync(() -> {
            started.add("waiter");
            return new CompletableFuture<>();
        });

        op.complete("done"); // permit handed to the waiter, which has not started yet
        limiter.executeAsync(() -> {
            started.add("newcomer");
            return new CompletableFuture<>();
        });
        executor.runAll();

        assertThat(started).containsExactly("waiter");
        assertThat(limiter.waiting()).isEqualTo(1);
        assertThat(limiter.tryAcquire()).as("tryAcquire does not overtake waiters either").isFalse();
    }

    @Test
    void aWaitingCallIsRejectedAfterMaxWaitOnTheExecutor() {
        RecordingListener listener = new RecordingListener();
        JobLimiter limiter = JobLimiter.builder("jobs").limit(1).maxWait(Duration.ofMillis(250))
                .scheduler(scheduler).executor(executor).listener(listener).build();
        CompletableFuture<String> op = holdPermit(limiter);
        CompletableFuture<String> waiting = limiter.executeAsync(countedOperation());

        scheduler.advance(249, TimeUnit.MILLISECONDS);
        assertThat(waiting).isNotDone();
        scheduler.advance(1, TimeUnit.MILLISECONDS);
        assertThat(waiting).as("completed off the timer thread").isNotDone();
        assertThat(limiter.waiting()).isZero();
        executor.runAll();

        assertThat(failureOf(waiting)).isInstanceOf(TooManyCallsException.class)
                .hasMessage("Too many calls to jobs! limit=1 exceeded");
        assertThat(listener.events).containsExactly(
                "permitted jobs 0", "rejected jobs " + TimeUnit.MILLISECONDS.toNanos(250));
        op.complete("done");
        executor.runAll();
        assertThat(starts).hasValue(0);
        assertThat(limiter.inFlight()).isZero();
        assertThat(limiter.rejectedCount()).isEqualTo(1);
    }

    @Test
    void cancellingAWaitingCallWithdrawsItWithoutLeakingAnything() {
        JobLimiter limiter = limiter(1, Duration.ofSeconds(1));
        CompletableFuture<String> op = holdPermit(limiter);
        CompletableFuture<String> waiting = limiter.executeAsync(countedOperation());

        assertThat(waiting.cancel(true)).isTrue();

        assertThat(limiter.waiting()).isZero();
        assertThat(scheduler.pendingTasks()).as("timeout cancelled").isZero();
        op.complete("done");
        executor.runAll();
        assertThat(starts).hasValue(0);
        assertThat(limiter.inFlight()).isZero();
        assertThat(limiter.permittedCount()).isEqualTo(1);
        assertThat(limiter.rejectedCount()).isZero();
    }

    @Test
    void cancellingACallWhosePermitIsOnTheWayReleasesItWithoutStarting() {
        JobLimiter limiter = limiter(1, Duration.ofSeconds(1));
        CompletableFuture<String> op = holdPermit(limiter);
        CompletableFuture<String> waiting = limiter.executeAsync(countedOperation());
        op.complete("done"); // grants the waiter; its start is queued on the executor

        waiting.cancel(true);
        executor.runAll();

        assertThat(starts).hasValue(0);
        assertThat(limiter.inFlight()).isZero();
        assertThat(waiting).isCancelled();
    }

    @Test
    void cancellingWhileTheOperationIsStartingCancelsItsFutureOnceKnown() {
        JobLimiter limiter = limiter(1, Duration.ofSeconds(1));
        CompletableFuture<String> first = new CompletableFuture<>();
        limiter.executeAsync(() -> first);
        CompletableFuture<String> op = new CompletableFuture<>();
        AtomicReference<CompletableFuture<String>> result = new AtomicReference<>();
        result.set(limiter.executeAsync(() -> {
            result.get().cancel(true); // the caller cancels while the operation is being started
            return op;
        }));

        first.complete("first");
        executor.runAll();

        assertThat(result.get()).isCancelled();
        assertThat(op).isCancelled();
        assertThat(limiter.inFlight()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"refused", "no thread"})
    void aFailingExecutorFailsTheHandedOverCallAndFreesItsPermit(String failure) {
        Throwable executorFailure = failure.equals("refused")
                ? new RejectedExecutionException("shut down")
                : new OutOfMemoryError("unable to create native thread");
        JobLimiter limiter = JobLimiter.builder("jobs").limit(1).maxWait(Duration.ofSeconds(1)).scheduler(scheduler)
                .executor(task -> {
                    if (executorFailure instanceof Error error) {
                        throw error;
                    }
                    throw (RuntimeException) executorFailure;
                }).build();
        CompletableFuture<String> op = holdPermit(limiter);
        CompletableFuture<String> waiting = limiter.executeAsync(() -> CompletableFuture.completedFuture("never"));

        op.complete("done");

        assertThat(failureOf(waiting)).isSameAs(executorFailure);
        assertThat(limiter.inFlight()).isZero();
        assertThat(limiter.waiting()).isZero();
        assertThat(limiter.executeAsync(() -> CompletableFuture.completedFuture("later"))).isCompletedWithValue("later");
    }

    @Test
    void failedFutureCarriesTheRejectionForJoinAndGet() {
        JobLimiter limiter = limiter(0);

        CompletableFuture<String> result = limiter.executeAsync(() -> CompletableFuture.completedFuture("x"));

        assertThatThrownBy(result::join).isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(TooManyCallsException.class);
    }
}
