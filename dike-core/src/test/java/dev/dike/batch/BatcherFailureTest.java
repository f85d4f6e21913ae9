package dev.dike.batch;

import dev.dike.time.DelayScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/** Every way a call or a batch can fail: each caller completes once, and the batcher keeps working. */
class BatcherFailureTest {

    private final BatchFixture fixture = new BatchFixture();

    @AfterEach
    void nothingLeftBehind() {
        fixture.assertIdle();
        fixture.assertStillWorks();
    }

    private static Throwable failureOf(CompletableFuture<?> future) {
        assertThat(future).isCompletedExceptionally();
        Throwable thrown = catchThrowable(future::join);
        assertThat(thrown).isInstanceOf(CompletionException.class);
        return thrown.getCause();
    }

    private List<CompletableFuture<List<Integer>>> submitThreeRows(Batcher<Integer, Integer> batcher) {
        List<CompletableFuture<List<Integer>>> futures = new ArrayList<>();
        futures.add(batcher.submit(List.of(1), List.of(1)));
        futures.add(batcher.submit(List.of(2, 3), List.of(1, 1)));
        return futures;
    }

    @Test
    void exceptionThrownByTheOperationReachesEveryCallerUnwrapped() {
        RuntimeException boom = new IllegalStateException("boom");
        fixture.override = (key, columns) -> {
            throw boom;
        };
        fixture.start(BatchFixture.config(3));

        List<CompletableFuture<List<Integer>>> futures = submitThreeRows(fixture.batcher);

        assertThat(futures).allSatisfy(future -> assertThat(failureOf(future)).isSameAs(boom));
        assertThat(fixture.listener.count(BatchCallOutcome.FAILURE)).isEqualTo(2);
        assertThat(fixture.listener.batchFailures).containsExactly(boom);
    }

    @Test
    void checkedExceptionThrownByTheOperationReachesEveryCaller() {
        Exception checked = new java.io.IOException("disk");
        fixture.override = (key, columns) -> {
            throw checked;
        };
        fixture.start(BatchFixture.config(3));

        assertThat(submitThreeRows(fixture.batcher)).allSatisfy(future -> assertThat(failureOf(future)).isSameAs(checked));
    }

    @Test
    void errorThrownByTheOperationReachesEveryCaller() {
        AssertionError error = new AssertionError("bug");
        fixture.override = (key, columns) -> {
            throw error;
        };
        fixture.start(BatchFixture.config(3));

        assertThat(submitThreeRows(fixture.batcher)).allSatisfy(future -> assertThat(failureOf(future)).isSameAs(error));
    }

    @Test
    void failedFutureReachesEveryCallerWithTheOriginalException() {
        RuntimeException boom = new IllegalArgumentException("bad batch");
        fixture.override = (key, columns) ->
                CompletableFuture.failedFuture(new CompletionException(new ExecutionException(boom)));
        fixture.start(BatchFixture.config(3));

        assertThat(submitThreeRows(fixture.batcher)).allSatisfy(future -> assertThat(failureOf(future)).isSameAs(boom));
    }

    @Test
    void asynchronousFailureReachesEveryCaller() {
        fixture.hold = true;
        Batcher<Integer, Integer> batcher = fixture.start(BatchFixture.config(3));
        List<CompletableFuture<List<Integer>>> futures = submitThreeRows(batcher);
        RuntimeException boom = new RuntimeException("later");

        fixture.execution(0).reply().completeExceptionally(boom);

        assertThat(futures).allSatisfy(future -> assertThat(failureOf(future)).isSameAs(boom));
        fixture.hold = false;
    }

    @Test
    void resultOfTheWrongSizeFailsEveryCallerWithBothNumbers() {
        fixture.override = (key, columns) -> CompletableFuture.completedFuture(List.of(1, 2, 3));
        fixture.start(BatchFixture.config(4));
        List<CompletableFuture<List<Integer>>> shortResult = new ArrayList<>(submitThreeRows(fixture.batcher));
        shortResult.add(fixture.batcher.submit(List.of(4), List.of(0)));

        assertThat(shortResult).hasSize(3).allSatisfy(future -> assertThat(failureOf(future))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Batch operation of test returned 3 results for 4 rows"));
    }

    @Test
    void resultLongerThanTheRowsFailsEveryCaller() {
        fixture.override = (key, columns) -> CompletableFuture.completedFuture(List.of(1, 2, 3, 4));
        fixture.start(BatchFixture.config(3));

        assertThat(submitThreeRows(fixture.batcher)).allSatisfy(future -> assertThat(failureOf(future))
                .hasMessage("Batch operation of test returned 4 results for 3 rows"));
    }

    @Test
    void nullResultFailsEveryCaller() {
        fixture.override = (key, columns) -> CompletableFuture.completedFuture(null);
        fixture.start(BatchFixture.config(3));

        assertThat(submitThreeRows(fixture.batcher)).allSatisfy(future -> assertThat(failureOf(future))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Batch operation of test returned null instead of 3 results"));
    }

    @Test
    void nullStageFailsEveryCaller() {
        fixture.override = (key, columns) -> null;
        fixture.start(BatchFixture.config(3));

        assertThat(submitThreeRows(fixture.batcher)).allSatisfy(future -> assertThat(failureOf(future))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Batch operation of test returned null instead of a CompletionStage"));
    }

    @Test
    void resultListThatCannotBeSlicedFailsTheCallersItCannotServe() {
        List<Integer> broken = new java.util.AbstractList<>() {
            @Override
            public Integer get(int index) {
                if (index >= 1) {
                    throw new IllegalStateException("lost row " + index);
                }
                return 7;
            }

            @Override
            public int size() {
                return 3;
            }
        };
        fixture.override = (key, columns) -> CompletableFuture.completedFuture(broken);
        fixture.start(BatchFixture.config(3));

        List<CompletableFuture<List<Integer>>> futures = submitThreeRows(fixture.batcher);

        assertThat(futures.get(0)).isCompletedWithValue(List.of(7));
        assertThat(failureOf(futures.get(1))).hasMessage("lost row 1");
    }

    @Test
    void invalidCallsFailAloneWithIllegalArgumentException() {
        Batcher<Integer, Integer> batcher = fixture.start(BatchFixture.config(3));
        CompletableFuture<List<Integer>> good = batcher.submit(List.of(1), List.of(1));

        CompletableFuture<List<Integer>> lengths = batcher.submit(List.of(1, 2), List.of(1));
        CompletableFuture<List<Integer>> nullColumn = batcher.submit(List.of(1), null);
        CompletableFuture<List<Integer>> nullArray = batcher.submit((List<Integer>[]) null);
        CompletableFuture<List<Integer>> nullList = batcher.submitKeyed("k", null);
        CompletableFuture<List<Integer>> noColumn = batcher.submit();
        CompletableFuture<List<Integer>> nullInside = batcher.submitKeyed(null, Arrays.asList(List.of(1), null));
        CompletableFuture<List<Integer>> wrongCount = batcher.submit(List.of(1));

        assertThat(failureOf(lengths)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Batcher test: the columns of a call must have the same size, got sizes [2, 1]");
        assertThat(failureOf(nullColumn)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Batcher test: column 1 of the call is null");
        assertThat(failureOf(nullInside)).hasMessage("Batcher test: column 1 of the call is null");
        assertThat(failureOf(nullArray)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Batcher test: the list of columns is null");
        assertThat(failureOf(nullList)).hasMessage("Batcher test: the list of columns is null");
        assertThat(failureOf(noColumn)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Batcher test: a call needs at least one column");
        assertThat(failureOf(wrongCount)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Batcher test: a call with 1 columns cannot join a batch of calls with 2 columns");
        assertThat(fixture.listener.count(BatchCallOutcome.REJECTED)).isEqualTo(7);

        CompletableFuture<List<Integer>> last = batcher.submit(List.of(2, 3), List.of(2, 3));
        assertThat(good).isCompletedWithValue(List.of(2));
        assertThat(last).isCompletedWithValue(List.of(4, 6));
        assertThat(fixture.executions).hasSize(1);
    }

    @Test
    void nullElementsAreRowsLikeAnyOther() {
        fixture.override = (key, columns) -> CompletableFuture.completedFuture(new ArrayList<>(columns.get(0)));
        Batcher<Integer, Integer> batcher = fixture.start(BatchFixture.config(2));
        List<Integer> withNull = Arrays.asList(1, null);

        assertThat(batcher.submit(withNull)).isCompletedWithValue(withNull);
    }

    @Test
    void processingTimeoutFailsEveryCallerFreesTheSlotAndCancelsTheOperation() {
        fixture.hold = true;
        Batcher<Integer, Integer> batcher = fixture.start(BatchFixture.configBuilder(3).maxConcurrentBatches(1)
                .maxProcessingTime(Duration.ofMillis(250)).build());
        List<CompletableFuture<List<Integer>>> futures = submitThreeRows(batcher);
        CompletableFuture<List<Integer>> next = batcher.submit(List.of(5), List.of(5));
        fixture.advanceMillis(10); // next is due by time, but the slot is taken
        assertThat(fixture.executions).hasSize(1);

        fixture.advanceMillis(240);

        assertThat(futures).allSatisfy(future -> assertThat(failureOf(future))
                .isInstanceOf(TimeoutException.class)
                .hasMessage("Batch test did not complete within 250ms"));
        assertThat(fixture.execution(0).reply()).isCancelled();
        assertThat(fixture.listener.count(BatchCallOutcome.TIMEOUT)).isEqualTo(2);
        assertThat(fixture.executions).hasSize(2); // the slot went to the waiting batch
        fixture.execution(1).answer();
        assertThat(next).isCompletedWithValue(List.of(10));
        fixture.hold = false;
    }

    @Test
    void resultArrivingAfterTheTimeoutIsIgnored() {
        fixture.hold = true;
        Batcher<Integer, Integer> batcher = fixture.start(BatchFixture.configBuilder(3)
                .maxProcessingTime(Duration.ofSeconds(2)).build());
        List<CompletableFuture<List<Integer>>> futures = submitThreeRows(batcher);
        BatchFixture.Execution late = fixture.execution(0);
        fixture.advanceMillis(1999);
        assertThat(futures).noneMatch(CompletableFuture::isDone);
        fixture.advanceMillis(1);

        late.answer(); // too late: the reply was cancelled, nothing changes

        assertThat(futures).allSatisfy(future -> assertThat(failureOf(future)).hasMessage(
                "Batch test did not complete within 2s"));
        assertThat(fixture.listener.batchEvents).containsExactly("started test SIZE rows=3 calls=2",
                "completed test rows=3 failed");
        fixture.hold = false;
    }

    @Test
    void operationBlockingPastTheTimeoutIsTimedOutAndItsLateResultCancelled() {
        CompletableFuture<List<Integer>> slowReply = new CompletableFuture<>();
        fixture.override = (key, columns) -> {
            fixture.advanceMillis(1500); // the operation blocks this long before returning
            return slowReply;
        };
        fixture.start(BatchFixture.configBuilder(3).maxProcessingTime(Duration.ofSeconds(1)).build());

        List<CompletableFuture<List<Integer>>> futures = submitThreeRows(fixture.batcher);

        assertThat(futures).allSatisfy(future -> assertThat(failureOf(future)).isInstanceOf(TimeoutException.class));
        assertThat(slowReply).isCancelled();
    }

    @Test
    void executorThatRefusesTheBatchFailsItsCallersAndFreesTheSlot() {
        RejectedExecutionException refused = new RejectedExecutionException("full");
        fixture.start(BatchFixture.config(3), task -> {
            throw refused;
        });

        List<CompletableFuture<List<Integer>>> futures = submitThreeRows(fixture.batcher);

        assertThat(futures).allSatisfy(future -> assertThat(failureOf(future)).isSameAs(refused));
        assertThat(fixture.executions).isEmpty();
        fixture.assertIdle();
        fixture.start(BatchFixture.config(3)); // a working executor for the checks after the test
    }

    @Test
    void listenerThatThrowsNeverStopsTheBatcher() {
        fixture.adopt(Batcher.builder(BatchFixture.NAME, fixture::record).config(BatchFixture.config(2))
                .scheduler(fixture.scheduler).executor(Runnable::run).listener(new BatchListener() {
                    @Override
                    public void onBatchStarted(String name, FlushReason reason, int rows, int calls, long waitNanos) {
                        throw new IllegalStateException("listener");
                    }

                    @Override
                    public void onBatchCompleted(String name, int rows, long processingNanos, Throwable failure) {
                        throw new IllegalStateException("listener");
                    }

                    @Override
                    public void onCallCompleted(String name, BatchCallOutcome outcome) {
                        throw new IllegalStateException("listener");
                    }
                }).build());

        CompletableFuture<List<Integer>> first = fixture.batcher.submit(List.of(1));
        CompletableFuture<List<Integer>> second = fixture.batcher.submit(List.of(2));
        CompletableFuture<List<Integer>> rejected = fixture.batcher.submit(List.of(1, 2), List.of(1));

        assertThat(first).isCompletedWithValue(List.of(1));
        assertThat(second).isCompletedWithValue(List.of(2));
        assertThat(failureOf(rejected)).isInstanceOf(IllegalArgumentException.class);
        fixture.assertIdle();
        fixture.start(BatchFixture.config(2));
    }

    @Test
    void closeFlushesWhatIsQueuedAndFailsLaterCalls() {
        fixture.hold = true;
        Batcher<Integer, Integer> batcher = fixture.start(BatchFixture.configBuilder(5).maxConcurrentBatches(1).build());
        CompletableFuture<List<Integer>> a = batcher.submitKeyed("a", List.of(List.of(1)));
        CompletableFuture<List<Integer>> b = batcher.submitKeyed("b", List.of(List.of(2)));

        batcher.close();
        batcher.close();

        assertThat(fixture.executions).hasSize(1); // the second waits for the slot
        assertThat(fixture.listener.batchEvents).containsExactly("started test CLOSE rows=1 calls=1");
        CompletableFuture<List<Integer>> late = batcher.submitKeyed("a", List.of(List.of(3)));
        assertThat(failureOf(late)).isInstanceOf(IllegalStateException.class).hasMessage("Batcher test is closed");
        CompletableFuture<List<Integer>> lateEmpty = batcher.submit(List.of());
        assertThat(failureOf(lateEmpty)).hasMessage("Batcher test is closed");
        fixture.execution(0).answer();
        fixture.execution(1).answer();
        assertThat(List.of(a.join(), b.join())).containsExactlyInAnyOrder(List.of(1), List.of(2));
        assertThat(fixture.listener.count(BatchCallOutcome.REJECTED)).isEqualTo(2);
        fixture.assertIdle();
        fixture.hold = false;
        fixture.start(BatchFixture.config(2));
    }

    @Test
    void callRefusedByACloseRacingWithItLeavesNoQueueBehind() {
        // close() runs while the call reads the clock: after the call's first closed check, before its queue exists.
        AtomicBoolean closeOnNextClockRead = new AtomicBoolean();
        DelayScheduler closingClock = new DelayScheduler() {
            @Override
            public ScheduledTask schedule(Runnable task, long delay, TimeUnit unit) {
                return fixture.scheduler.schedule(task, delay, unit);
            }

            @Override
            public long nanoTime() {
                if (closeOnNextClockRead.getAndSet(false)) {
                    fixture.batcher.close();
                }
                return fixture.scheduler.nanoTime();
            }
        };
        Batcher<Integer, Integer> batcher = fixture.start(BatchFixture.config(2), Runnable::run, fixture::record,
                closingClock);
        closeOnNextClockRead.set(true);

        CompletableFuture<List<Integer>> refused = batcher.submitKeyed("fresh", List.of(List.of(1)));

        assertThat(failureOf(refused)).isInstanceOf(IllegalStateException.class).hasMessage("Batcher test is closed");
        fixture.assertIdle();
        fixture.start(BatchFixture.config(2));
    }

    @Test
    void restOfAQueueLeftAfterCloseIsFlushedWithoutWaiting() {
        fixture.hold = true;
        Batcher<Integer, Integer> batcher = fixture.start(BatchFixture.configBuilder(2).maxConcurrentBatches(1).build());
        batcher.submitKeyed("x", List.of(List.of(0, 0)));
        List<CompletableFuture<List<Integer>>> calls = new ArrayList<>();
        for (int row = 1; row <= 3; row++) {
            calls.add(batcher.submit(List.of(row)));
        }

        batcher.close();
        fixture.execution(0).answer();
        fixture.execution(1).answer();

        assertThat(fixture.executions).hasSize(3);
        assertThat(fixture.execution(2).columns()).containsExactly(List.of(3));
        assertThat(fixture.listener.batchEvents).contains("started test CLOSE rows=1 calls=1");
        fixture.execution(2).answer();
        assertThat(calls).extracting(CompletableFuture::join).containsExactly(List.of(1), List.of(2), List.of(3));
        fixture.assertIdle();
        fixture.hold = false;
        fixture.start(BatchFixture.config(2));
    }

    @Test
    void invalidRuntimeChangesAreRefusedWithTheBatcherAttributeAndValue() {
        Batcher<Integer, Integer> batcher = fixture.start(BatchFixture.config(2));

        assertThatThrownBy(() -> batcher.setTargetBatchSize(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Batcher test: Invalid batch targetBatchSize '0': must be greater than 0");
        assertThatThrownBy(() -> batcher.setMaxWaitingTime(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Batcher test: Invalid batch maxWaitingTime 'PT-0.001S': must be positive, or 0 with maxConcurrentBatches");
        assertThatThrownBy(() -> batcher.setMaxWaitingTime(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Batcher test: maxWaitingTime must not be null");
        assertThat(batcher.config()).isEqualTo(BatchFixture.config(2));
    }

    @Test
    void builderNeedsAConfig() {
        assertThatThrownBy(() -> Batcher.builder("nameless", fixture::record).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("Batcher nameless needs a BatchConfig");
        fixture.start(BatchFixture.config(2));
    }

    @Test
    void timeoutMessageNamesTheDurationReadably() {
        assertThat(RunningBatch.describe(Duration.ofSeconds(10))).isEqualTo("10s");
        assertThat(RunningBatch.describe(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(RunningBatch.describe(Duration.ofNanos(1500))).isEqualTo("PT0.0000015S");
        fixture.start(BatchFixture.config(2));
        fixture.scheduler.advance(1, TimeUnit.NANOSECONDS);
    }
}
