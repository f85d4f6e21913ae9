package dev.dike.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dike.time.DelayScheduler;
import dev.dike.time.ManualDelayScheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Mono;

/**
 * The limiter's bookkeeping when what surrounds it misbehaves: a scheduler that refuses to time a
 * wait, a caller that completes its future itself instead of cancelling it, a listener that throws
 * an {@code Error}. Each test holds the only permit of a limit-1 limiter, lets one call meet the
 * fault, and then checks the three things a fault must never cost: the caller hears of it once, the
 * dead call's operation never runs, and the permit is not leaked (the next call is admitted once the
 * holder lets go).
 */
class JobLimiterFaultsTest {

    private final ManualDelayScheduler clock = new ManualDelayScheduler();
    private final RefusingScheduler scheduler = new RefusingScheduler(clock);
    private final QueueExecutor executor = new QueueExecutor();
    /** How many times an operation of a call that met the fault was started. */
    private final AtomicInteger deadStarts = new AtomicInteger();

    private JobLimiter limiter(LimitListener listener) {
        return JobLimiter.builder("jobs").limit(1).maxWait(Duration.ofSeconds(10))
                .scheduler(scheduler).executor(executor).listener(listener).build();
    }

    private Supplier<CompletionStage<String>> deadOperation() {
        return () -> {
            deadStarts.incrementAndGet();
            return CompletableFuture.completedFuture("must not run");
        };
    }

    /** After the holder released, the permit is free: taken by the next call, given back, nothing left behind. */
    private void assertNothingLeaked(JobLimiter limiter) {
        executor.runAll();
        assertThat(deadStarts).as("operations of dead calls started").hasValue(0);
        assertThat(limiter.inFlight()).as("permits held").isZero();
        assertThat(limiter.waiting()).as("calls waiting").isZero();
        assertThat(limiter.tryAcquire()).as("the next call is admitted").isTrue();
        limiter.release();
        assertThat(clock.pendingTasks()).as("timers left").isZero();
    }

    private static void assertRefusal(Throwable failure) {
        assertThat(failure).isInstanceOf(RejectedExecutionException.class)
                .hasMessageStartingWith("No permit free on limiter jobs, and its DelayScheduler refused to time the wait "
                        + "(maxWait PT10S), so the call cannot wait")
                .hasCauseInstanceOf(RejectedExecutionException.class)
                .hasRootCauseMessage("scheduler shut down");
    }

    private static Throwable failureOf(CompletableFuture<?> future) {
        assertThat(future).isCompletedExceptionally();
        return future.handle((value, error) -> error).join();
    }

    // Item 2 of issue 11: a scheduler that refuses the waiting call's timeout.

    @Test
    void executeAsyncDeliversTheSchedulersRefusalThroughTheFutureAndWithdrawsTheCall() {
        RecordingListener listener = new RecordingListener();
        JobLimiter limiter = limiter(listener);
        assertThat(limiter.tryAcquire()).isTrue();
        scheduler.shutDown();

        CompletableFuture<String> refused = limiter.executeAsync(deadOperation()); // must not throw

        assertRefusal(failureOf(refused));
        assertThat(limiter.waiting()).isZero();
        limiter.release();
        assertNothingLeaked(limiter);
        assertThat(limiter.permittedCount()).as("the holder and the check's tryAcquire").isEqualTo(2);
        assertThat(limiter.rejectedCount()).isZero();
        assertThat(listener.events).containsExactly("permitted jobs 0", "permitted jobs 0");
    }

    @Test
    void callThrowsTheSchedulersRefusalAndTheReleasedPermitIsNotLeakedToTheDeadCall() throws Exception {
        JobLimiter limiter = limiter(LimitListener.NONE);
        assertThat(limiter.tryAcquire()).isTrue();
        scheduler.shutDown();

        assertThatThrownBy(() -> limiter.call(() -> {
            deadStarts.incrementAndGet();
            return "must not run";
        })).satisfies(JobLimiterFaultsTest::assertRefusal);

        assertThat(limiter.waiting()).isZero();
        limiter.release();
        assertNothingLeaked(limiter);
        assertThat(limiter.call(() -> "next")).isEqualTo("next");
    }

    @Test
    void aMonoGetsTheSchedulersRefusalAsItsErrorAndNeverRuns() {
        JobLimiter limiter = limiter(LimitListener.NONE);
        assertThat(limiter.tryAcquire()).isTrue();
        scheduler.shutDown();
        List<Throwable> errors = new ArrayList<>();

        ReactorLimit.mono(limiter, () -> {
            deadStarts.incrementAndGet();
            return Mono.just("must not run");
        }).subscribe(value -> { }, errors::add);

        assertThat(errors).singleElement().satisfies(JobLimiterFaultsTest::assertRefusal);
        assertThat(limiter.waiting()).isZero();
        limiter.release();
        assertNothingLeaked(limiter);
    }

    @Test
    void aSchedulerThatReturnsNoTaskCountsAsARefusal() {
        JobLimiter limiter = JobLimiter.builder("jobs").limit(1).maxWait(Duration.ofSeconds(10))
                .scheduler(new DelayScheduler() {
                    @Override
                    public ScheduledTask schedule(Runnable task, long delay, TimeUnit unit) {
                        return null;
                    }

                    @Override
                    public long nanoTime() {
                        return 0L;
                    }
                }).executor(executor).build();
        assertThat(limiter.tryAcquire()).isTrue();

        CompletableFuture<String> refused = limiter.executeAsync(deadOperation());

        assertThat(failureOf(refused)).isInstanceOf(RejectedExecutionException.class)
                .hasRootCauseMessage("DelayScheduler.schedule returned null");
        limiter.release();
        executor.runAll();
        assertThat(deadStarts).hasValue(0);
        assertThat(limiter.inFlight()).isZero();
        assertThat(limiter.waiting()).isZero();
    }

    @Test
    void aPermitFreedWhileTheTimeoutIsBeingScheduledStillReachesTheCall() {
        // The release lands between the call joining the queue and the scheduler's refusal: the call
        // was granted, so it runs (without a timeout, which it no longer needs) and is not failed.
        JobLimiter[] holder = new JobLimiter[1];
        DelayScheduler releasingThenRefusing = new DelayScheduler() {
            @Override
            public ScheduledTask schedule(Runnable task, long delay, TimeUnit unit) {
                holder[0].release();
                throw new RejectedExecutionException("scheduler shut down");
            }

            @Override
            public long nanoTime() {
                return 0L;
            }
        };
        JobLimiter limiter = JobLimiter.builder("jobs").limit(1).maxWait(Duration.ofSeconds(10))
                .scheduler(releasingThenRefusing).executor(executor).build();
        holder[0] = limiter;
        assertThat(limiter.tryAcquire()).isTrue();

        CompletableFuture<String> granted = limiter.executeAsync(() -> CompletableFuture.completedFuture("ran"));
        executor.runAll();

        assertThat(granted).isCompletedWithValue("ran");
        assertThat(limiter.inFlight()).isZero();
        assertThat(limiter.waiting()).isZero();
        assertThat(limiter.permittedCount()).isEqualTo(2);
    }

    // Item 5 of issue 11: a waiting call whose future its caller completes.

    /** The ways a caller can complete the future of its waiting call, other than cancel. */
    enum CallerCompletion {
        COMPLETE(future -> future.complete("caller's value")),
        COMPLETE_EXCEPTIONALLY(future -> future.completeExceptionally(new IllegalStateException("caller's failure"))),
        COMPLETE_ASYNC(future -> future.completeAsync(() -> "caller's value", Runnable::run)),
        OR_TIMEOUT(future -> future.orTimeout(1, TimeUnit.MILLISECONDS)),
        COMPLETE_ON_TIMEOUT(future -> future.completeOnTimeout("caller's value", 1, TimeUnit.MILLISECONDS));

        private final Consumer<CompletableFuture<String>> action;

        CallerCompletion(Consumer<CompletableFuture<String>> action) {
            this.action = action;
        }
    }

    @ParameterizedTest
    @EnumSource(CallerCompletion.class)
    void aWaitingCallCompletedByItsCallerLeavesTheQueueAndNeverTakesAPermit(CallerCompletion completion) {
        RecordingListener listener = new RecordingListener();
        JobLimiter limiter = limiter(listener);
        assertThat(limiter.tryAcquire()).isTrue();
        CompletableFuture<String> waiting = limiter.executeAsync(deadOperation());
        assertThat(limiter.waiting()).isEqualTo(1);

        completion.action.accept(waiting);
        // orTimeout and completeOnTimeout fire on the JDK's own timer thread, 1 ms later.
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(waiting::isDone);

        assertThat(limiter.waiting()).as("left the queue").isZero();
        assertThat(clock.pendingTasks()).as("its timeout cancelled").isZero();
        if (completion == CallerCompletion.OR_TIMEOUT) {
            assertThat(failureOf(waiting)).isInstanceOf(TimeoutException.class);
        } else if (completion == CallerCompletion.COMPLETE_EXCEPTIONALLY) {
            assertThat(failureOf(waiting)).hasMessage("caller's failure");
        } else {
            assertThat(waiting).isCompletedWithValue("caller's value");
        }
        limiter.release();
        assertThat(limiter.permittedCount()).as("the dead call was never permitted").isEqualTo(1);
        assertThat(executor.queued()).as("no permit handed to the dead call").isZero();
        assertNothingLeaked(limiter);
        assertThat(limiter.rejectedCount()).isZero();
        assertThat(listener.events).containsExactly("permitted jobs 0", "permitted jobs 0");
    }

    @Test
    void aRunningCallCompletedByItsCallerCancelsTheOperationAndReleasesThePermit() {
        JobLimiter limiter = limiter(LimitListener.NONE);
        CompletableFuture<String> operation = new CompletableFuture<>();
        CompletableFuture<String> running = limiter.executeAsync(() -> operation);
        assertThat(limiter.inFlight()).isEqualTo(1);

        assertThat(running.complete("caller's value")).isTrue();

        assertThat(running).as("the caller's value stays").isCompletedWithValue("caller's value");
        assertThat(operation).isCancelled();
        assertThat(limiter.inFlight()).isZero();
        assertThat(limiter.tryAcquire()).isTrue();
        limiter.release();
    }

    @Test
    void aCallCompletedByItsCallerWhileItsPermitIsOnTheWayGivesItBackWithoutStarting() {
        JobLimiter limiter = limiter(LimitListener.NONE);
        assertThat(limiter.tryAcquire()).isTrue();
        CompletableFuture<String> waiting = limiter.executeAsync(deadOperation());
        limiter.release(); // grants the waiter; its start is queued on the executor

        waiting.complete("caller's value");
        executor.runAll();

        assertThat(waiting).isCompletedWithValue("caller's value");
        assertNothingLeaked(limiter);
    }

    @Test
    void theLimitersOwnCompletionsAreNotMistakenForTheCallers() {
        JobLimiter limiter = limiter(LimitListener.NONE);
        CompletableFuture<String> operation = new CompletableFuture<>();
        CompletableFuture<String> running = limiter.executeAsync(() -> operation);

        operation.complete("value");
        operation.obtrudeValue("changed later"); // a stage already followed: nothing more may happen

        assertThat(running).isCompletedWithValue("value");
        assertThat(limiter.inFlight()).isZero();
        assertThat(limiter.permittedCount()).isEqualTo(1);
    }

    // Item 6 of issue 11: a listener that throws an Error while permits are handed out.

    /** Which listener event throws. */
    enum BrokenEvent { PERMITTED, REJECTED, LIMIT_CHANGED }

    /** A listener that throws a plain {@code Error} (not a LinkageError or AssertionError) once armed. */
    private static final class ErrorThrowingListener implements LimitListener {

        final BrokenEvent broken;
        volatile boolean armed;
        final AtomicInteger thrown = new AtomicInteger();

        ErrorThrowingListener(BrokenEvent broken) {
            this.broken = broken;
        }

        private void maybeThrow(BrokenEvent event) {
            if (armed && event == broken) {
                thrown.incrementAndGet();
                throw new Error("listener bug");
            }
        }

        @Override
        public void onPermitted(String name, long waitNanos) {
            maybeThrow(BrokenEvent.PERMITTED);
        }

        @Override
        public void onRejected(String name, long waitNanos) {
            maybeThrow(BrokenEvent.REJECTED);
        }

        @Override
        public void onLimitChanged(String name, int oldLimit, int newLimit) {
            maybeThrow(BrokenEvent.LIMIT_CHANGED);
        }
    }

    @Test
    void anErrorFromTheListenerWhileAWaitingCallIsGrantedStillStartsIt() {
        ErrorThrowingListener listener = new ErrorThrowingListener(BrokenEvent.PERMITTED);
        JobLimiter limiter = limiter(listener);
        assertThat(limiter.tryAcquire()).isTrue();
        CompletableFuture<String> operation = new CompletableFuture<>();
        CompletableFuture<String> waiting = limiter.executeAsync(() -> operation);
        listener.armed = true;

        limiter.release(); // hands the permit to the waiting call, and tells the listener
        executor.runAll();
        operation.complete("done");

        assertThat(listener.thrown).hasValue(1);
        assertThat(waiting).isCompletedWithValue("done");
        listener.armed = false;
        assertNothingLeaked(limiter);
    }

    @Test
    void anErrorFromTheListenerOnAnImmediatePermitNeitherEscapesNorLeaks() throws Exception {
        ErrorThrowingListener listener = new ErrorThrowingListener(BrokenEvent.PERMITTED);
        JobLimiter limiter = limiter(listener);
        listener.armed = true;

        CompletableFuture<String> async = limiter.executeAsync(() -> CompletableFuture.completedFuture("async"));
        String sync = limiter.call(() -> "sync");
        boolean acquired = limiter.tryAcquire();
        limiter.release();

        assertThat(async).isCompletedWithValue("async");
        assertThat(sync).isEqualTo("sync");
        assertThat(acquired).isTrue();
        assertThat(listener.thrown).hasValue(3);
        listener.armed = false;
        assertNothingLeaked(limiter);
    }

    @Test
    void anErrorFromTheListenerOnATimeoutStillRejectsTheWaitingCall() {
        ErrorThrowingListener listener = new ErrorThrowingListener(BrokenEvent.REJECTED);
        JobLimiter limiter = limiter(listener);
        assertThat(limiter.tryAcquire()).isTrue();
        CompletableFuture<String> waiting = limiter.executeAsync(deadOperation());
        listener.armed = true;

        clock.advance(10, TimeUnit.SECONDS);
        executor.runAll();

        assertThat(listener.thrown).hasValue(1);
        assertThat(failureOf(waiting)).isInstanceOf(TooManyCallsException.class);
        listener.armed = false;
        limiter.release();
        assertNothingLeaked(limiter);
    }

    @Test
    void anErrorFromTheListenerOnALimitChangeStillGrantsTheWaitingCalls() {
        ErrorThrowingListener listener = new ErrorThrowingListener(BrokenEvent.LIMIT_CHANGED);
        JobLimiter limiter = limiter(listener);
        CompletableFuture<String> running = new CompletableFuture<>();
        limiter.executeAsync(() -> running);
        CompletableFuture<String> waiting = limiter.executeAsync(() -> CompletableFuture.completedFuture("second"));
        listener.armed = true;

        limiter.setLimit(2);
        executor.runAll();

        assertThat(listener.thrown).hasValue(1);
        assertThat(waiting).isCompletedWithValue("second");
        running.complete("first");
        listener.armed = false;
        limiter.setLimit(1);
        assertNothingLeaked(limiter);
    }

    /** The virtual clock, refusing every schedule once shut down, like a shut-down executor service. */
    private static final class RefusingScheduler implements DelayScheduler {

        private final ManualDelayScheduler clock;
        private volatile boolean shutDown;

        RefusingScheduler(ManualDelayScheduler clock) {
            this.clock = clock;
        }

        void shutDown() {
            shutDown = true;
        }

        @Override
        public ScheduledTask schedule(Runnable task, long delay, TimeUnit unit) {
            if (shutDown) {
                throw new RejectedExecutionException("scheduler shut down");
            }
            return clock.schedule(task, delay, unit);
        }

        @Override
        public long nanoTime() {
            return clock.nanoTime();
        }
    }
}
