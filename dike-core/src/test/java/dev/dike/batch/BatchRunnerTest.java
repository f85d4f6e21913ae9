package dev.dike.batch;

import dev.dike.time.DelayScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * How formed batches reach the executor ({@link BatchRunner}) and how they are timed
 * ({@link ProcessingTimeouts}): on an executor whose tasks run only when the test says, so that
 * every hand-off can be counted.
 */
class BatchRunnerTest {

    private final BatchFixture fixture = new BatchFixture();
    /** Tasks handed to the executor and not yet run. */
    private final Queue<Runnable> tasks = new ArrayDeque<>();
    private final Executor queueingExecutor = tasks::add;

    @AfterEach
    void nothingLeftBehind() {
        runTasks();
        fixture.assertIdle();
    }

    private static Throwable failureOf(CompletableFuture<?> future) {
        assertThat(future).isCompletedExceptionally();
        return catchThrowable(future::join).getCause();
    }

    private void runTasks() {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            task.run();
        }
    }

    @Test
    void burstOfBatchesRunsOnOneExecutorTask() {
        Batcher<Integer, Integer> batcher = fixture.start(BatchFixture.configBuilder(1).build(), queueingExecutor);

        CompletableFuture<List<Integer>> first = batcher.submit(List.of(1));
        CompletableFuture<List<Integer>> second = batcher.submit(List.of(2));
        CompletableFuture<List<Integer>> third = batcher.submit(List.of(3));

        assertThat(tasks).hasSize(1);
        assertThat(batcher.runners()).isEqualTo(1);
        tasks.poll().run();

        assertThat(fixture.executions).hasSize(3);
        assertThat(first).isCompletedWithValue(List.of(1));
        assertThat(second).isCompletedWithValue(List.of(2));
        assertThat(third).isCompletedWithValue(List.of(3));
        // A helper was started when the first operation was called with two batches queued behind it
        // (that operation might have blocked); the first task ran them anyway, so the helper finds none.
        assertThat(tasks).hasSize(1);
        assertThat(batcher.runners()).isEqualTo(1);
        tasks.poll().run();
        assertThat(fixture.executions).hasSize(3);
        assertThat(batcher.runners()).isZero();
    }

    @Test
    void batchQueuedBehindARunnerGetsAnotherTaskWhenThatRunnerCallsTheOperation() {
        Batcher<Integer, Integer> batcher = fixture.start(BatchFixture.configBuilder(1).build(), queueingExecutor);
        CompletableFuture<List<Integer>> second = new CompletableFuture<>();
        fixture.override = (key, columns) -> {
            if (columns.get(0).equals(List.of(1))) {
                // Inside the first operation, which might block: the queued second batch must not wait.
                assertThat(tasks).hasSize(1);
                tasks.poll().run();
                assertThat(second).isCompletedWithValue(List.of(2));
            }
            return CompletableFuture.completedFuture(columns.get(0));
        };

        CompletableFuture<List<Integer>> first = batcher.submit(List.of(1));
        batcher.submit(List.of(2)).whenComplete((result, error) -> second.complete(result));
        assertThat(tasks).hasSize(1); // the runner not yet started counts as free

        tasks.poll().run();

        assertThat(first).isCompletedWithValue(List.of(1));
        assertThat(second).isCompletedWithValue(List.of(2));
        assertThat(fixture.executions).hasSize(2);
    }

    @Test
    void batchFormedWhileEveryRunnerIsInsideTheOperationGetsAnotherTask() {
        Batcher<Integer, Integer> batcher = fixture.start(BatchFixture.configBuilder(1).build(), queueingExecutor);
        CompletableFuture<List<Integer>> second = new CompletableFuture<>();
        fixture.override = (key, columns) -> {
            if (columns.get(0).equals(List.of(1))) {
                batcher.submit(List.of(2)).whenComplete((result, error) -> second.complete(result));
                assertThat(tasks).hasSize(1);
                tasks.poll().run(); // another thread would run it while this operation blocks
                assertThat(second).isCompletedWithValue(List.of(2));
            }
            return CompletableFuture.completedFuture(columns.get(0));
        };

        CompletableFuture<List<Integer>> first = batcher.submit(List.of(1));
        tasks.poll().run();

        assertThat(first).isCompletedWithValue(List.of(1));
        assertThat(fixture.executions).hasSize(2);
    }

    @Test
    void operationBlockingOnTheDefaultExecutorDoesNotHoldUpLaterBatches() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Batcher<Integer, Integer> batcher = Batcher.<Integer, Integer>builder("blocking", (key, columns) -> {
            if (columns.get(0).equals(List.of(1))) {
                release.await(); // blocks its thread until the later batch has completed
            }
            return CompletableFuture.completedFuture(columns.get(0));
        }).config(BatchFixture.configBuilder(1).maxProcessingTime(Duration.ofMinutes(1)).build()).build();

        try {
            CompletableFuture<List<Integer>> blocked = batcher.submit(List.of(1));
            await().atMost(Duration.ofSeconds(5)).until(() -> batcher.batchesInFlight() == 1 && batcher.runners() == 1);
            CompletableFuture<List<Integer>> later = batcher.submit(List.of(2));

            await().atMost(Duration.ofSeconds(5)).until(later::isDone);
            assertThat(later).isCompletedWithValue(List.of(2));
            assertThat(blocked).isNotDone();
            release.countDown();
            await().atMost(Duration.ofSeconds(5)).until(blocked::isDone);
            assertThat(blocked).isCompletedWithValue(List.of(1));
            await().atMost(Duration.ofSeconds(5)).until(() -> batcher.runners() == 0 && batcher.batchesInFlight() == 0);
        } finally {
            release.countDown(); // never leave a shared-pool thread parked, even when an assertion failed
            batcher.close();
        }
        fixture.start(BatchFixture.config(1)); // a manual-clock batcher for the checks after the test
    }

    /**
     * A caller's dependent stage, attached without {@code *Async}, runs on the runner that completed
     * its batch; if it blocks, that runner is busy, and the next batch gets another one.
     */
    @Test
    void callerStageBlockingOnTheRunnerDoesNotHoldUpLaterBatches() throws Exception {
        CountDownLatch attached = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Batcher<Integer, Integer> batcher = Batcher.<Integer, Integer>builder("dependent", (key, columns) -> {
            if (columns.get(0).equals(List.of(1))) {
                attached.await(); // completes only once the test's stage is attached
            }
            return CompletableFuture.completedFuture(columns.get(0));
        }).config(BatchFixture.configBuilder(1).maxProcessingTime(Duration.ofMinutes(1)).build()).build();
        try {
            CompletableFuture<List<Integer>> first = batcher.submit(List.of(1));
            CompletableFuture<Void> blockingStage = first.thenAccept(value -> awaitQuietly(release));
            attached.countDown();
            await().atMost(Duration.ofSeconds(5)).until(first::isDone);

            CompletableFuture<List<Integer>> later = batcher.submit(List.of(2));

            await().atMost(Duration.ofSeconds(5)).until(later::isDone);
            assertThat(later).isCompletedWithValue(List.of(2));
            assertThat(blockingStage).isNotDone();
            release.countDown();
            await().atMost(Duration.ofSeconds(5)).until(blockingStage::isDone);
            await().atMost(Duration.ofSeconds(5)).until(() -> batcher.runners() == 0 && batcher.batchesInFlight() == 0);
        } finally {
            release.countDown();
            batcher.close();
        }
        fixture.start(BatchFixture.config(1)); // a manual-clock batcher for the checks after the test
    }

    /** An executor that throws an Error (a thread that could not be created) must not leave a runner counted. */
    @Test
    void executorErrorFailsTheQueuedBatchAndLeavesNoRunnerBehind() {
        AtomicBoolean failNext = new AtomicBoolean(true);
        OutOfMemoryError noThread = new OutOfMemoryError("unable to create native thread");
        Batcher<Integer, Integer> batcher = fixture.start(BatchFixture.configBuilder(1).build(), task -> {
            if (failNext.getAndSet(false)) {
                throw noThread;
            }
            tasks.add(task);
        });

        CompletableFuture<List<Integer>> refused = batcher.submit(List.of(1));
        runTasks();
        assertThat(failureOf(refused)).isSameAs(noThread);
        assertThat(batcher.runners()).isZero();

        CompletableFuture<List<Integer>> next = batcher.submit(List.of(2));
        runTasks();
        assertThat(next).isCompletedWithValue(List.of(2));
        assertThat(batcher.runners()).isZero();
    }

    /**
     * A helper runner is only a precaution while a runner is inside user code: if the executor refuses
     * it, the busy runner still takes the queued batches afterwards, and they must not fail.
     */
    @Test
    void refusedHelperLeavesQueuedBatchesToTheBusyRunner() {
        AtomicInteger executions = new AtomicInteger();
        Batcher<Integer, Integer> batcher = fixture.start(BatchFixture.configBuilder(1).build(), task -> {
            if (executions.incrementAndGet() == 2) {
                throw new RejectedExecutionException("queue full");
            }
            tasks.add(task);
        });

        CompletableFuture<List<Integer>> first = batcher.submit(List.of(1));
        CompletableFuture<List<Integer>> second = batcher.submit(List.of(2));
        runTasks(); // the runner asks for a helper as it enters the first operation, and is refused

        assertThat(executions).hasValue(2);
        assertThat(first).isCompletedWithValue(List.of(1));
        assertThat(second).isCompletedWithValue(List.of(2));
        assertThat(batcher.runners()).isZero();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void oneTimerTimesOutEveryBatchAtItsOwnDeadline() {
        fixture.hold = true;
        Batcher<Integer, Integer> batcher = fixture.start(BatchFixture.configBuilder(1).build());

        CompletableFuture<List<Integer>> first = batcher.submit(List.of(1));
        fixture.advanceMillis(400);
        CompletableFuture<List<Integer>> second = batcher.submit(List.of(2));
        assertThat(fixture.scheduler.pendingTasks()).isEqualTo(1);

        fixture.advanceMillis(600);
        assertThat(failureOf(first)).isInstanceOf(TimeoutException.class);
        assertThat(second).isNotDone();
        assertThat(fixture.execution(0).reply()).isCancelled();

        fixture.scheduler.advance(TimeUnit.MILLISECONDS.toNanos(400) - 1, TimeUnit.NANOSECONDS);
        assertThat(second).isNotDone();
        fixture.scheduler.advance(1, TimeUnit.NANOSECONDS);
        assertThat(failureOf(second)).isInstanceOf(TimeoutException.class);
        assertThat(fixture.scheduler.pendingTasks()).isZero();
        assertThat(batcher.processingTimerArmed()).isFalse();
    }

    @Test
    void idleBatcherKeepsOneProcessingTimerUntilItFires() {
        Batcher<Integer, Integer> batcher = fixture.start(BatchFixture.configBuilder(1).build());

        for (int call = 0; call < 5; call++) {
            assertThat(batcher.submit(List.of(call))).isCompletedWithValue(List.of(call));
        }

        assertThat(fixture.scheduler.pendingTasks()).isEqualTo(1);
        assertThat(batcher.processingTimerArmed()).isTrue();
        fixture.advanceMillis(1000);
        assertThat(fixture.scheduler.pendingTasks()).isZero();
        assertThat(batcher.processingTimerArmed()).isFalse();
        assertThat(batcher.submit(List.of(7))).isCompletedWithValue(List.of(7)); // and arms it anew
        assertThat(batcher.processingTimerArmed()).isTrue();
    }

    @Test
    void batchThatTimesOutBeforeARunnerTakesItIsNeverSent() {
        Batcher<Integer, Integer> batcher = fixture.start(BatchFixture.configBuilder(1).build(), queueingExecutor);

        CompletableFuture<List<Integer>> call = batcher.submit(List.of(1));
        fixture.advanceMillis(1000);
        runTasks();

        assertThat(failureOf(call)).isInstanceOf(TimeoutException.class)
                .hasMessage("Batch test did not complete within 1s");
        assertThat(fixture.executions).isEmpty();
        assertThat(fixture.listener.batchEvents).noneMatch(event -> event.startsWith("started"));
    }

    /**
     * The processing timeout fires after the runner's first check, while it copies the rows (here: when
     * it reads the clock after that check): the callers get the timeout, so the operation must not run,
     * the slot, freed by the timeout, must be freed once only, and the listener must not count the batch
     * as started or its rows as de-duplicated, since nothing was sent. Old code checked only before the
     * listener call and sent the batch anyway (issue #11: with a cap of 1, its operation ran while the
     * slot was free for the next batch); the code after that fix still told the listener first, so
     * {@code dike.batch.size} and {@code dike.batch.deduplicated} counted rows that were never sent.
     */
    @Test
    void batchThatTimesOutWhileTheRunnerPreparesItIsNeverSentNorReported() {
        AtomicReference<Runnable> onNextClockRead = new AtomicReference<>();
        Batcher<Integer, Integer> batcher = fixture.start(BatchFixture.configBuilder(2).maxConcurrentBatches(1).build(),
                queueingExecutor, fixture::record, clockHook(onNextClockRead));

        CompletableFuture<List<Integer>> first = batcher.submitDistinct(null, List.of(List.of(1)));
        CompletableFuture<List<Integer>> repeat = batcher.submitDistinct(null, List.of(List.of(1)));
        CompletableFuture<List<Integer>> other = batcher.submitDistinct(null, List.of(List.of(2)));
        assertThat(tasks).as("formed, queued for a runner").hasSize(1);
        onNextClockRead.set(() -> fixture.advanceMillis(1000));
        runTasks();

        for (CompletableFuture<List<Integer>> call : List.of(first, repeat, other)) {
            assertThat(failureOf(call)).isInstanceOf(TimeoutException.class);
        }
        assertThat(onNextClockRead).as("the runner read the clock after its first check").hasValue(null);
        assertThat(fixture.executions).isEmpty();
        assertThat(batcher.batchesInFlight()).as("a slot freed twice would count -1").isZero();
        assertThat(fixture.listener.batchEvents).containsExactly("completed test rows=2 failed");

        CompletableFuture<List<Integer>> next = batcher.submitDistinct(null, List.of(List.of(3)));
        batcher.submitDistinct(null, List.of(List.of(4)));
        runTasks();
        assertThat(next).isCompletedWithValue(List.of(3));
        assertThat(fixture.listener.batchEvents).containsExactly("completed test rows=2 failed",
                "started test SIZE rows=2 calls=2", "completed test rows=2");
    }

    /**
     * The processing timeout fires once the runner committed to sending the batch (while the listener
     * is told it started): the callers get the timeout and the operation runs on, as any operation
     * that outlives its timeout does; its result is cancelled and ignored, and the slot is freed once.
     */
    @Test
    void batchThatTimesOutOnceCommittedIsSentAndItsResultIgnored() {
        fixture.hold = true;
        Batcher<Integer, Integer> batcher = fixture.start(BatchFixture.configBuilder(1).maxConcurrentBatches(1).build());
        fixture.listener.onNextBatchStarted = () -> fixture.advanceMillis(1000);

        CompletableFuture<List<Integer>> call = batcher.submit(List.of(1));

        assertThat(failureOf(call)).isInstanceOf(TimeoutException.class);
        assertThat(fixture.executions).hasSize(1);
        assertThat(fixture.execution(0).reply()).isCancelled();
        assertThat(batcher.batchesInFlight()).isZero();
        assertThat(fixture.listener.batchEvents).containsExactly("started test SIZE rows=1 calls=1",
                "completed test rows=1 failed");
        fixture.assertStillWorks();
    }

    /** The fixture's clock, running a one-shot action when the batcher next reads it. */
    private DelayScheduler clockHook(AtomicReference<Runnable> onNextRead) {
        return new DelayScheduler() {
            @Override
            public ScheduledTask schedule(Runnable task, long delay, TimeUnit unit) {
                return fixture.scheduler.schedule(task, delay, unit);
            }

            @Override
            public long nanoTime() {
                Runnable action = onNextRead.getAndSet(null);
                if (action != null) {
                    action.run();
                }
                return fixture.scheduler.nanoTime();
            }
        };
    }
}
