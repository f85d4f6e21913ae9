package dev.dike.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dike.time.DelayScheduler;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

class RetrierAsyncTest extends RetryFixture {

    private static final Executor DIRECT = Runnable::run;

    RetrierAsyncTest() {
        super("orders");
    }

    /** An operation whose first {@code failures} attempts return a failed future, then "ok". */
    private static Supplier<CompletionStage<String>> failing(int failures, AtomicInteger calls) {
        return () -> {
            int call = calls.incrementAndGet();
            return call <= failures ? CompletableFuture.failedFuture(new IllegalStateException("fail " + call))
                    : CompletableFuture.completedFuture("ok");
        };
    }

    @Test
    void firstSuccessNeedsNoRetry() {
        AtomicInteger calls = new AtomicInteger();

        CompletableFuture<String> result = retrier(RetryConfig.builder()).executeAsync(failing(0, calls));

        assertThat(result).isCompletedWithValue("ok");
        assertThat(calls).hasValue(1);
        assertThat(scheduler.pendingTasks()).isZero();
        assertThat(log.events()).isEmpty();
        assertThat(listener.events).containsExactly("completed orders SUCCESS_WITHOUT_RETRY after 1");
    }

    @Test
    void pendingAttemptIsFollowedUntilItCompletes() {
        CompletableFuture<String> attempt = new CompletableFuture<>();

        CompletableFuture<String> result = retrier(RetryConfig.builder()).executeAsync(() -> attempt);

        assertThat(result).isNotDone();
        attempt.complete("late");
        assertThat(result).isCompletedWithValue("late");
        assertThat(listener.events).containsExactly("completed orders SUCCESS_WITHOUT_RETRY after 1");
    }

    @Test
    void retriesAfterScheduledDelaysUntilSuccess() {
        AtomicInteger calls = new AtomicInteger();
        Retrier retrier = retrier(RetryConfig.builder().attempts(5).delay(Duration.ofMillis(10)).backoff(3));

        CompletableFuture<String> result = retrier.executeAsync(failing(2, calls));

        assertThat(calls).hasValue(1);
        assertThat(scheduler.pendingDelaysNanos()).containsExactly(TimeUnit.MILLISECONDS.toNanos(10));
        scheduler.advance(9, TimeUnit.MILLISECONDS);
        assertThat(calls).hasValue(1);
        scheduler.advance(1, TimeUnit.MILLISECONDS);
        assertThat(calls).hasValue(2);
        assertThat(scheduler.pendingDelaysNanos()).containsExactly(TimeUnit.MILLISECONDS.toNanos(30));
        scheduler.advance(30, TimeUnit.MILLISECONDS);

        assertThat(result).isCompletedWithValue("ok");
        assertThat(calls).hasValue(3);
        assertThat(scheduler.pendingTasks()).isZero();
        assertThat(log.warnings()).containsExactly(
                "Caught exception java.lang.IllegalStateException: fail 1. Retrying in 0.01s ...",
                "Caught exception java.lang.IllegalStateException: fail 2. Retrying in 0.03s ...");
        assertThat(listener.events).containsExactly(
                "retry orders #1 fail 1 in 10000000ns",
                "retry orders #2 fail 2 in 30000000ns",
                "completed orders SUCCESS_WITH_RETRY after 3");
    }

    /** completedStage() and failedStage() are CompletableFutures whose isDone() and join() throw. */
    @Test
    void minimalStagesAreRetriedAndTheirValueIsReturned() {
        AtomicInteger calls = new AtomicInteger();
        Supplier<CompletionStage<String>> operation = () -> calls.incrementAndGet() == 1
                ? CompletableFuture.failedStage(new IllegalStateException("minimal failure"))
                : CompletableFuture.completedStage("minimal ok");

        CompletableFuture<String> result = retrier(RetryConfig.builder()).executeAsync(operation);
        scheduler.runDueTasks();

        assertThat(result).isCompletedWithValue("minimal ok");
        assertThat(calls).hasValue(2);
        assertThat(listener.events).containsExactly(
                "retry orders #1 minimal failure in 0ns",
                "completed orders SUCCESS_WITH_RETRY after 2");
    }

    @Test
    void aMinimalStageThatCompletesLaterIsFollowed() {
        CompletableFuture<String> attempt = new CompletableFuture<>();

        CompletableFuture<String> result = retrier(RetryConfig.builder())
                .executeAsync(attempt::minimalCompletionStage);
        assertThat(result).isNotDone();
        attempt.complete("late");

        assertThat(result).isCompletedWithValue("late");
    }

    @Test
    void synchronousThrowAndNullResultAreFailedAttempts() {
        AtomicInteger calls = new AtomicInteger();
        Supplier<CompletionStage<String>> operation = () -> {
            switch (calls.incrementAndGet()) {
                case 1:
                    throw new IllegalStateException("thrown");
                case 2:
                    return null;
                default:
                    return CompletableFuture.completedFuture("ok");
            }
        };

        CompletableFuture<String> result = retrier(RetryConfig.builder()).executeAsync(operation);
        scheduler.runDueTasks();

        assertThat(result).isCompletedWithValue("ok");
        assertThat(calls).hasValue(3);
        assertThat(listener.errors.get(1)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("'orders'").hasMessageContaining("returned null");
    }

    @Test
    void nullResultOnTheLastAttemptFailsWithANullPointerExceptionNamingTheRetrier() {
        CompletableFuture<String> result = retrier(RetryConfig.builder().attempts(1)).executeAsync(() -> null);

        assertThatThrownBy(result::join).hasCauseInstanceOf(NullPointerException.class)
                .cause().hasMessage("The operation retried by 'orders' returned null instead of a CompletionStage");
    }

    @Test
    void lastAttemptsOriginalExceptionReachesTheCaller() {
        List<RuntimeException> thrown = new ArrayList<>();
        Supplier<CompletionStage<String>> operation = () -> {
            RuntimeException error = new RuntimeException("attempt " + (thrown.size() + 1));
            thrown.add(error);
            return CompletableFuture.failedFuture(error);
        };

        CompletableFuture<String> result = retrier(RetryConfig.builder().attempts(3)).executeAsync(operation);
        scheduler.runDueTasks();

        assertThat(thrown).hasSize(3);
        AtomicReference<Throwable> seen = new AtomicReference<>();
        result.exceptionally(error -> {
            seen.set(error);
            return null;
        });
        assertThat(seen.get()).isSameAs(thrown.get(2));
        assertThatThrownBy(result::join).isInstanceOf(CompletionException.class).cause().isSameAs(thrown.get(2));
        assertThatThrownBy(result::get).isInstanceOf(ExecutionException.class).cause().isSameAs(thrown.get(2));
        assertThat(log.warnings()).hasSize(2); // the last failure is not logged
        assertThat(listener.events).last().isEqualTo("completed orders FAILURE_WITH_RETRY after 3 with attempt 3");
    }

    @Test
    void wrappedFailuresAreMatchedAndReturnedUnwrapped() {
        IOException last = new IOException("io 2");
        AtomicInteger calls = new AtomicInteger();
        Supplier<CompletionStage<String>> operation = () -> CompletableFuture.failedFuture(new CompletionException(
                new ExecutionException(calls.incrementAndGet() == 1 ? new IOException("io 1") : last)));

        CompletableFuture<String> result = retrier(RetryConfig.builder().attempts(2)
                .exceptionTypes(List.of(IOException.class))).executeAsync(operation);
        scheduler.runDueTasks();

        assertThat(calls).hasValue(2);
        assertThat(result).isCompletedExceptionally();
        assertThat(result.handle((value, error) -> error).join()).isSameAs(last);
        assertThat(log.warnings()).containsExactly("Caught exception java.io.IOException: io 1. Retrying in 0s ...");
    }

    @Test
    void exceptionOutsideTheRetriedTypesFailsAtOnce() {
        AtomicInteger calls = new AtomicInteger();

        CompletableFuture<String> result = retrier(RetryConfig.builder().exceptionTypes(List.of(IOException.class)))
                .executeAsync(failing(5, calls));

        assertThat(result).isCompletedExceptionally();
        assertThat(calls).hasValue(1);
        assertThat(scheduler.pendingTasks()).isZero();
        assertThat(log.events()).isEmpty();
        assertThat(listener.events).containsExactly("completed orders IGNORED after 1 with fail 1");
    }

    @Test
    void ignoredTypesWinOverRetriedTypes() {
        AtomicInteger calls = new AtomicInteger();

        CompletableFuture<String> result = retrier(RetryConfig.builder().exceptionTypes(List.of(RuntimeException.class))
                .ignoredExceptionTypes(List.of(IllegalStateException.class))).executeAsync(failing(5, calls));

        assertThat(result).isCompletedExceptionally();
        assertThat(calls).hasValue(1);
        assertThat(listener.events).containsExactly("completed orders IGNORED after 1 with fail 1");
    }

    @Test
    void errorsAreNeverRetriedEvenWhenThrowableIsRetried() {
        AssertionError error = new AssertionError("fatal");
        AtomicInteger calls = new AtomicInteger();

        CompletableFuture<String> result = retrier(RetryConfig.builder().exceptionTypes(List.of(Throwable.class)))
                .executeAsync(() -> {
                    calls.incrementAndGet();
                    throw error;
                });

        assertThat(calls).hasValue(1);
        assertThat(result.handle((value, failure) -> failure).join()).isSameAs(error);
    }

    @Test
    void cancelledAttemptIsNotRetried() {
        AtomicInteger calls = new AtomicInteger();
        CompletableFuture<String> attempt = new CompletableFuture<>();

        CompletableFuture<String> result = retrier(RetryConfig.builder()).executeAsync(() -> {
            calls.incrementAndGet();
            return attempt;
        });
        attempt.cancel(false);

        assertThat(calls).hasValue(1);
        assertThat(result).isCancelled();
        assertThat(scheduler.pendingTasks()).isZero();
        assertThat(listener.events).containsExactly("completed orders IGNORED after 1 with null");
    }

    @Test
    void nonRetryableFailureAfterARetryIsAFailureWithRetry() {
        AtomicInteger calls = new AtomicInteger();
        Supplier<CompletionStage<String>> operation = () -> CompletableFuture.failedFuture(
                calls.incrementAndGet() == 1 ? new IllegalStateException("retryable")
                        : new IllegalArgumentException("not retryable"));

        CompletableFuture<String> result = retrier(RetryConfig.builder().attempts(5)
                .ignoredExceptionTypes(List.of(IllegalArgumentException.class))).executeAsync(operation);
        scheduler.runDueTasks();

        assertThat(calls).hasValue(2);
        assertThat(result).isCompletedExceptionally();
        assertThat(listener.events).last()
                .isEqualTo("completed orders FAILURE_WITH_RETRY after 2 with not retryable");
    }

    @Test
    void singleAttemptFailureIsAFailureWithoutRetry() {
        CompletableFuture<String> result = retrier(RetryConfig.builder().attempts(1))
                .executeAsync(failing(1, new AtomicInteger()));

        assertThat(result).isCompletedExceptionally();
        assertThat(log.events()).isEmpty();
        assertThat(listener.events).containsExactly("completed orders FAILURE_WITHOUT_RETRY after 1 with fail 1");
    }

    @Test
    void unlimitedAttemptsRetryUntilSuccess() {
        AtomicInteger calls = new AtomicInteger();

        CompletableFuture<String> result = retrier(RetryConfig.builder().attempts(-1)).executeAsync(failing(200, calls));
        scheduler.runDueTasks();

        assertThat(result).isCompletedWithValue("ok");
        assertThat(calls).hasValue(201);
        assertThat(log.warnings()).hasSize(200);
        assertThat(listener.events).last().isEqualTo("completed orders SUCCESS_WITH_RETRY after 201");
    }

    @Test
    void jitterUsesTheInjectedRandom() {
        AtomicInteger calls = new AtomicInteger();
        double[] randoms = {0.0, Math.nextDown(1.0)};
        AtomicInteger draw = new AtomicInteger();
        Retrier retrier = Retrier.builder("jittery").scheduler(scheduler).executor(DIRECT).listener(listener)
                .random(() -> randoms[draw.getAndIncrement()])
                .config(RetryConfig.builder().attempts(3).delay(Duration.ofMillis(100)).jitter(0.5).build()).build();

        retrier.executeAsync(failing(2, calls));
        assertThat(scheduler.pendingDelaysNanos()).containsExactly(TimeUnit.MILLISECONDS.toNanos(50));
        scheduler.advance(50, TimeUnit.MILLISECONDS);

        assertThat(scheduler.pendingDelaysNanos()).singleElement()
                .satisfies(delay -> assertThat(delay).isBetween(TimeUnit.MILLISECONDS.toNanos(150) - 1,
                        TimeUnit.MILLISECONDS.toNanos(150)));
        assertThat(log.warnings()).containsExactly(
                "Caught exception java.lang.IllegalStateException: fail 1. Retrying in 0.05s ...",
                "Caught exception java.lang.IllegalStateException: fail 2. Retrying in 0.15s ...");
    }

    @Test
    void maxDelayCapsScheduledDelays() {
        Retrier retrier = retrier(RetryConfig.builder().attempts(5).delay(Duration.ofSeconds(1)).backoff(10)
                .maxDelay(Duration.ofSeconds(3)));

        retrier.executeAsync(failing(4, new AtomicInteger()));
        List<Long> delays = new ArrayList<>();
        for (int retry = 0; retry < 4; retry++) {
            delays.addAll(scheduler.pendingDelaysNanos());
            scheduler.advance(scheduler.pendingDelaysNanos().get(0), TimeUnit.NANOSECONDS);
        }

        assertThat(delays).containsExactly(TimeUnit.SECONDS.toNanos(1), TimeUnit.SECONDS.toNanos(3),
                TimeUnit.SECONDS.toNanos(3), TimeUnit.SECONDS.toNanos(3));
        assertThat(listener.events).last().isEqualTo("completed orders SUCCESS_WITH_RETRY after 5");
    }

    @Test
    void stackTraceIsAttachedOnlyWhenConfigured() {
        retrier(RetryConfig.builder().attempts(2)).executeAsync(failing(1, new AtomicInteger()));
        retrier(RetryConfig.builder().attempts(2).logExceptionInfo(false)).executeAsync(failing(1, new AtomicInteger()));

        assertThat(log.events()).hasSize(2);
        assertThat(log.events().get(0).getThrowableProxy()).isNotNull();
        assertThat(log.events().get(0).getThrowableProxy().getMessage()).isEqualTo("fail 1");
        assertThat(log.events().get(0).getLoggerName()).isEqualTo("dev.dike.retry");
        assertThat(log.events().get(1).getThrowableProxy()).isNull();
    }

    @Test
    void cancelDuringDelayStopsAtOnceAndLeavesNothingScheduled() {
        AtomicInteger calls = new AtomicInteger();
        CompletableFuture<String> result = retrier(RetryConfig.builder().attempts(5).delay(Duration.ofSeconds(1)))
                .executeAsync(failing(5, calls));
        assertThat(scheduler.pendingTasks()).isEqualTo(1);
        int eventsBeforeCancel = listener.events.size();

        assertThat(result.cancel(true)).isTrue();

        assertThat(result).isCancelled();
        assertThat(scheduler.pendingTasks()).isZero();
        scheduler.advance(1, TimeUnit.HOURS);
        assertThat(calls).hasValue(1);
        assertThat(listener.events).hasSize(eventsBeforeCancel); // no onCompleted for the caller's cancel
    }

    @Test
    void cancelDuringAnAttemptCancelsTheAttemptsFuture() {
        AtomicInteger calls = new AtomicInteger();
        CompletableFuture<String> attempt = new CompletableFuture<>();
        CompletableFuture<String> result = retrier(RetryConfig.builder()).executeAsync(() -> {
            calls.incrementAndGet();
            return attempt;
        });

        result.cancel(false);

        assertThat(attempt).isCancelled();
        assertThat(result).isCancelled();
        scheduler.advance(1, TimeUnit.HOURS);
        assertThat(calls).hasValue(1);
        assertThat(listener.events).isEmpty();
    }

    @Test
    void cancelInsideTheOperationCancelsTheAttemptItReturns() {
        AtomicReference<CompletableFuture<String>> result = new AtomicReference<>();
        CompletableFuture<String> attempt = new CompletableFuture<>();
        // A delay, so that the second attempt is made after executeAsync returned the future.
        Retrier retrier = retrier(RetryConfig.builder().delay(Duration.ofMillis(1)));
        AtomicInteger calls = new AtomicInteger();

        result.set(retrier.executeAsync(() -> {
            if (calls.incrementAndGet() == 2) {
                result.get().cancel(false); // the caller cancels while the second attempt is being made
                return attempt;
            }
            return CompletableFuture.failedFuture(new IllegalStateException("first"));
        }));
        scheduler.advance(1, TimeUnit.MILLISECONDS);

        assertThat(calls).hasValue(2);
        assertThat(attempt).isCancelled();
        assertThat(result.get()).isCancelled();
        assertThat(scheduler.pendingTasks()).isZero();
    }

    @Test
    void cancelToleratesStagesThatCannotBeCancelled() {
        CompletableFuture<String> backing = new CompletableFuture<>();
        CompletionStage<String> uncancellable = stageWithoutToCompletableFuture(backing);

        CompletableFuture<String> result = retrier(RetryConfig.builder()).executeAsync(() -> uncancellable);

        assertThat(result.cancel(false)).isTrue();
        backing.completeExceptionally(new IllegalStateException("late failure"));
        assertThat(result).isCancelled();
        assertThat(scheduler.pendingTasks()).isZero();
        assertThat(listener.events).isEmpty();
    }

    @Test
    void completingTheFutureFromOutsideStopsTheRetries() {
        AtomicInteger calls = new AtomicInteger();
        CompletableFuture<String> result = retrier(RetryConfig.builder().delay(Duration.ofSeconds(1)))
                .executeAsync(failing(5, calls));

        assertThat(result.complete("fallback")).isTrue();

        assertThat(scheduler.pendingTasks()).isZero();
        scheduler.advance(1, TimeUnit.HOURS);
        assertThat(calls).hasValue(1);
        assertThat(result).isCompletedWithValue("fallback");
    }

    @Test
    void timingOutTheFutureFromOutsideStopsTheRetries() {
        AtomicInteger calls = new AtomicInteger();
        CompletableFuture<String> result = retrier(RetryConfig.builder().delay(Duration.ofSeconds(1)))
                .executeAsync(failing(5, calls));

        assertThat(result.completeExceptionally(new java.util.concurrent.TimeoutException())).isTrue();

        assertThat(scheduler.pendingTasks()).isZero();
        scheduler.advance(1, TimeUnit.HOURS);
        assertThat(calls).hasValue(1);
    }

    @Test
    void nextAttemptRunsOnTheExecutorNotOnTheSchedulerThread() {
        Queue<Runnable> executorQueue = new ArrayDeque<>();
        AtomicInteger calls = new AtomicInteger();
        Retrier retrier = Retrier.builder("queued").config(RetryConfig.builder().delay(Duration.ofMillis(5)).build())
                .scheduler(scheduler).executor(executorQueue::add).build();

        CompletableFuture<String> result = retrier.executeAsync(failing(1, calls));
        scheduler.advance(5, TimeUnit.MILLISECONDS);

        assertThat(calls).hasValue(1); // the timer task only handed the attempt off
        assertThat(executorQueue).hasSize(1);
        executorQueue.poll().run();
        assertThat(calls).hasValue(2);
        assertThat(result).isCompletedWithValue("ok");
    }

    @Test
    void cancelWhileTheNextAttemptIsQueuedOnTheExecutorPreventsIt() {
        Queue<Runnable> executorQueue = new ArrayDeque<>();
        AtomicInteger calls = new AtomicInteger();
        Retrier retrier = Retrier.builder("queued").config(RetryConfig.builder().delay(Duration.ofMillis(5)).build())
                .scheduler(scheduler).executor(executorQueue::add).build();

        CompletableFuture<String> result = retrier.executeAsync(failing(1, calls));
        scheduler.advance(5, TimeUnit.MILLISECONDS);
        result.cancel(false);
        executorQueue.poll().run();

        assertThat(calls).hasValue(1);
        assertThat(result).isCancelled();
    }

    @Test
    void rejectedExecutorFailsTheCallWithTheRejectionAndTheLastError() {
        RejectedExecutionException rejection = new RejectedExecutionException("shut down");
        Retrier retrier = Retrier.builder("rejecting").config(RetryConfig.builder().delay(Duration.ofMillis(5)).build())
                .scheduler(scheduler).executor(task -> {
                    throw rejection;
                }).listener(listener).build();

        CompletableFuture<String> result = retrier.executeAsync(failing(1, new AtomicInteger()));
        scheduler.advance(5, TimeUnit.MILLISECONDS);

        Throwable failure = result.handle((value, error) -> error).join();
        assertThat(failure).isSameAs(rejection);
        assertThat(failure.getSuppressed()).singleElement().satisfies(
                suppressed -> assertThat(suppressed).hasMessage("fail 1"));
        assertThat(listener.events).last().asString().startsWith("completed rejecting");
    }

    @Test
    void rejectedSchedulerFailsTheCall() {
        DelayScheduler rejecting = new DelayScheduler() {
            @Override
            public ScheduledTask schedule(Runnable task, long delay, TimeUnit unit) {
                throw new RejectedExecutionException("timer gone");
            }

            @Override
            public long nanoTime() {
                return 0;
            }
        };
        Retrier retrier = Retrier.builder("no-timer").config(RetryConfig.builder().delay(Duration.ofMillis(5)).build())
                .scheduler(rejecting).executor(DIRECT).build();

        CompletableFuture<String> result = retrier.executeAsync(failing(1, new AtomicInteger()));

        assertThat(result.handle((value, error) -> error).join()).isInstanceOf(RejectedExecutionException.class)
                .hasMessage("timer gone");
    }

    @Test
    void throwingListenerIsLoggedAndIgnored() {
        RetryListener throwing = new RetryListener() {
            @Override
            public void onRetryScheduled(String name, int failedAttempt, Throwable error, Duration delay) {
                throw new IllegalStateException("listener broke");
            }

            @Override
            public void onCompleted(String name, RetryOutcome outcome, int attempts, Throwable error) {
                throw new IllegalStateException("listener broke again");
            }
        };
        Retrier retrier = Retrier.builder("robust").scheduler(scheduler).executor(DIRECT).listener(throwing).build();

        CompletableFuture<String> result = retrier.executeAsync(failing(1, new AtomicInteger()));
        scheduler.runDueTasks();

        assertThat(result).isCompletedWithValue("ok");
        assertThat(log.warnings()).hasSize(3);
        assertThat(log.warnings().get(1)).contains("onRetryScheduled").contains("'robust'");
        assertThat(log.warnings().get(2)).contains("onCompleted").contains("'robust'");
    }

    @Test
    void concurrentCallsOnOneRetrierKeepTheirOwnAttemptCounts() {
        Retrier retrier = retrier(RetryConfig.builder().attempts(3).delay(Duration.ofMillis(10)));
        AtomicInteger callsA = new AtomicInteger();
        AtomicInteger callsB = new AtomicInteger();

        CompletableFuture<String> a = retrier.executeAsync(failing(10, callsA));
        scheduler.advance(5, TimeUnit.MILLISECONDS);
        CompletableFuture<String> b = retrier.executeAsync(failing(2, callsB));
        scheduler.advance(1, TimeUnit.SECONDS);

        assertThat(callsA).hasValue(3);
        assertThat(a).isCompletedExceptionally();
        assertThat(callsB).hasValue(3);
        assertThat(b).isCompletedWithValue("ok");
    }

    /** A stage whose {@code toCompletableFuture} is unsupported, as the interface allows. */
    @SuppressWarnings("unchecked")
    static CompletionStage<String> stageWithoutToCompletableFuture(CompletableFuture<String> backing) {
        return (CompletionStage<String>) Proxy.newProxyInstance(RetrierAsyncTest.class.getClassLoader(),
                new Class<?>[] {CompletionStage.class}, (proxy, method, args) -> {
                    if (method.getName().equals("toCompletableFuture")) {
                        throw new UnsupportedOperationException();
                    }
                    return method.invoke(backing, args);
                });
    }
}
