package dev.dike.batch;

import dev.dike.time.DelayScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Argument shapes, keys and the flush rules, on a manual clock. */
class BatcherFlushTest {

    private final BatchFixture fixture = new BatchFixture();

    @AfterEach
    void nothingLeftBehind() {
        fixture.assertIdle();
        fixture.assertStillWorks();
    }

    @Test
    void seedExampleRunsOnceWithConcatenatedColumnsAndSlicesTheResult() {
        Batcher<Integer, Integer> batcher = fixture.start(BatchFixture.config(3));

        CompletableFuture<List<Integer>> first = batcher.submit(List.of(0), List.of(1));
        CompletableFuture<List<Integer>> second = batcher.submit(List.of(1), List.of(1));
        assertThat(fixture.executions).isEmpty();
        CompletableFuture<List<Integer>> third = batcher.submit(List.of(2, 3), List.of(1, 1));

        assertThat(fixture.executions).hasSize(1);
        assertThat(fixture.execution(0).columns()).containsExactly(List.of(0, 1, 2, 3), List.of(1, 1, 1, 1));
        assertThat(fixture.execution(0).key()).isNull();
        assertThat(first).isCompletedWithValue(List.of(1));
        assertThat(second).isCompletedWithValue(List.of(2));
        assertThat(third).isCompletedWithValue(List.of(3, 4));
        assertThat(fixture.listener.batchEvents)
                .containsExactly("started test SIZE rows=4 calls=3", "completed test rows=4");
        assertThat(fixture.listener.count(BatchCallOutcome.SUCCESS)).isEqualTo(3);
    }

    @Test
    void callThatReachesTheTargetFlushesAtOnceEvenBeyondIt() {
        Batcher<Integer, Integer> batcher = fixture.start(BatchFixture.config(5));

        batcher.submit(List.of(1), List.of(0));
        batcher.submit(List.of(2, 3, 4), List.of(0, 0, 0));
        assertThat(batcher.queuedCalls()).isEqualTo(2);
        assertThat(batcher.queuedRows()).isEqualTo(4);
        CompletableFuture<List<Integer>> last = batcher.submit(List.of(5, 6), List.of(0, 0));

        assertThat(fixture.executions).hasSize(1);
        assertThat(fixture.execution(0).columns().get(0)).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(last).isCompletedWithValue(List.of(5, 6));
    }

    @Test
    void singleOversizedCallRunsAtOnceAlone() {
        Batcher<Integer, Integer> batcher = fixture.start(BatchFixture.config(3));

        CompletableFuture<List<Integer>> big = batcher.submit(List.of(1, 2, 3, 4, 5), List.of(1, 1, 1, 1, 1));

        assertThat(big).isCompletedWithValue(List.of(2, 3, 4, 5, 6));
        assertThat(fixture.executions).hasSize(1);
        assertThat(fixture.strayTimers()).isZero();
    }

    @Test
    void partialBatchFlushesExactlyAtMaxWaitingTimeAfterItsFirstCall() {
        Batcher<Integer, Integer> batcher = fixture.start(BatchFixture.configBuilder(10).build());

        CompletableFuture<List<Integer>> first = batcher.submit(List.of(1), List.of(1));
        fixture.advanceMillis(4);
        CompletableFuture<List<Integer>> second = batcher.submit(List.of(2), List.of(2));
        fixture.scheduler.advance(TimeUnit.MILLISECONDS.toNanos(6) - 1, TimeUnit.NANOSECONDS);
        assertThat(fixture.executions).isEmpty();
        assertThat(first).isNotDone();

        fixture.scheduler.advance(1, TimeUnit.NANOSECONDS);

        assertThat(fixture.executions).hasSize(1);
        assertThat(first).isCompletedWithValue(List.of(2));
        assertThat(second).isCompletedWithValue(List.of(4));
        assertThat(fixture.listener.batchEvents).first().isEqualTo("started test TIME rows=2 calls=2");
        assertThat(fixture.listener.waitNanos).containsExactly(TimeUnit.MILLISECONDS.toNanos(10));
    }

    @Test
    void sizeFlushCancelsTheTimer() {
        Batcher<Integer, Integer> batcher = fixture.start(BatchFixture.configBuilder(2).build());

        batcher.submit(List.of(1), List.of(1));
        assertThat(fixture.scheduler.pendingDelaysNanos()).containsExactly(TimeUnit.MILLISECONDS.toNanos(10));
        batcher.submit(List.of(2), List.of(2));

        assertThat(fixture.executions).hasSize(1);
        assertThat(batcher.timedQueues()).isZero();
        assertThat(fixture.strayTimers()).isZero();
    }

    @Test
    void timerThatFiresAfterASizeFlushFlushesNothing() {
        // A timer whose cancel comes too late (it is already running) must not flush again.
        DelayScheduler lateCancel = fixture.lateCancellingScheduler();
        Batcher<Integer, Integer> batcher = fixture.start(
                BatchFixture.configBuilder(2).maxProcessingTime(Duration.ofDays(1)).build(),
                Runnable::run, fixture::record, lateCancel);
        batcher.submit(List.of(1), List.of(0));
        fixture.advanceMillis(5);
        batcher.submit(List.of(2), List.of(0)); // size flush at t=5; the timer for t=10 stays
        fixture.advanceMillis(1);
        CompletableFuture<List<Integer>> later = batcher.submit(List.of(3), List.of(0)); // own timer at t=16

        fixture.advanceMillis(4); // t=10: the stale timer fires
        assertThat(fixture.executions).hasSize(1);
        assertThat(later).isNotDone();

        fixture.advanceMillis(6); // t=16
        assertThat(fixture.executions).hasSize(2);
        assertThat(later).isCompletedWithValue(List.of(3));
        fixture.advanceMillis(TimeUnit.DAYS.toMillis(1)); // the stale processing timeouts fire too
        assertThat(fixture.listener.count(BatchCallOutcome.TIMEOUT)).isZero();
    }

    @Test
    void staleTimerOfAQueueThatLivesOnDoesNotFlushItsNextBatchEarly() {
        DelayScheduler lateCancel = fixture.lateCancellingScheduler();
        fixture.hold = true;
        Batcher<Integer, Integer> batcher = fixture.start(
                BatchFixture.configBuilder(2).maxConcurrentBatches(1).maxProcessingTime(Duration.ofDays(1)).build(),
                Runnable::run, fixture::record, lateCancel);
        batcher.submitKeyed("x", List.of(List.of(7, 7))); // occupies the only slot
        batcher.submitKeyed("k", List.of(List.of(1)));     // t=0, timer for t=10
        fixture.advanceMillis(1);
        batcher.submitKeyed("k", List.of(List.of(2)));     // due by size, waits for the slot
        fixture.advanceMillis(1);
        CompletableFuture<List<Integer>> rest = batcher.submitKeyed("k", List.of(List.of(3))); // t=2
        fixture.advanceMillis(1);
        fixture.execution(0).answer(); // t=3: [1, 2] starts, [3] waits with its own timer for t=12

        assertThat(fixture.executions).hasSize(2);
        assertThat(fixture.execution(1).columns()).containsExactly(List.of(1, 2));
        fixture.execution(1).answer();
        fixture.advanceMillis(7); // t=10: the first timer fires late
        assertThat(fixture.executions).hasSize(2);
        fixture.advanceMillis(2); // t=12
        assertThat(fixture.executions).hasSize(3);
        fixture.execution(2).answer();
        assertThat(rest).isCompletedWithValue(List.of(3));
        fixture.hold = false;
        fixture.advanceMillis(TimeUnit.DAYS.toMillis(1));
        assertThat(fixture.listener.count(BatchCallOutcome.TIMEOUT)).isZero();
    }

    @Test
    void newCallsFormTheNextBatchWhileOneRunsAndBatchesOverlapWithoutACap() {
        fixture.hold = true;
        Batcher<Integer, Integer> batcher = fixture.start(BatchFixture.config(2));
        CompletableFuture<List<Integer>> first = batcher.submit(List.of(1, 2));
        CompletableFuture<List<Integer>> second = batcher.submit(List.of(3));
        CompletableFuture<List<Integer>> third = batcher.submit(List.of(4));

        assertThat(fixture.executions).extracting(BatchFixture.Execution::columns)
                .containsExactly(List.of(List.of(1, 2)), List.of(List.of(3, 4)));
        assertThat(batcher.batchesInFlight()).isEqualTo(2);
        fixture.execution(1).answer();
        assertThat(second).isCompletedWithValue(List.of(3));
        assertThat(third).isCompletedWithValue(List.of(4));
        assertThat(first).isNotDone();
        fixture.execution(0).answer();
        assertThat(first).isCompletedWithValue(List.of(1, 2));
        fixture.hold = false;
    }

    @Test
    void callsOfDifferentKeysNeverShareABatch() {
        Batcher<Integer, Integer> batcher = fixture.start(BatchFixture.config(2));

        CompletableFuture<List<Integer>> a1 = batcher.submitKeyed("a", List.of(List.of(1)));
        CompletableFuture<List<Integer>> b1 = batcher.submitKeyed("b", List.of(List.of(10)));
        CompletableFuture<List<Integer>> none = batcher.submitKeyed(null, List.of(List.of(100)));
        CompletableFuture<List<Integer>> a2 = batcher.submitKeyed("a", List.of(List.of(2)));
        assertThat(fixture.executions).hasSize(1);
        CompletableFuture<List<Integer>> b2 = batcher.submitKeyed(new String("b"), List.of(List.of(20)));
        CompletableFuture<List<Integer>> none2 = batcher.submit(List.of(200));

        assertThat(fixture.executions).extracting(BatchFixture.Execution::key).containsExactly("a", "b", null);
        assertThat(fixture.executions).extracting(BatchFixture.Execution::columns)
                .containsExactly(List.of(List.of(1, 2)), List.of(List.of(10, 20)), List.of(List.of(100, 200)));
        assertThat(a1).isCompletedWithValue(List.of(1));
        assertThat(a2).isCompletedWithValue(List.of(2));
        assertThat(b1).isCompletedWithValue(List.of(10));
        assertThat(b2).isCompletedWithValue(List.of(20));
        assertThat(none).isCompletedWithValue(List.of(100));
        assertThat(none2).isCompletedWithValue(List.of(200));
    }

    @Test
    void timersOfDifferentKeysAreIndependent() {
        Batcher<Integer, Integer> batcher = fixture.start(BatchFixture.configBuilder(10).build());

        CompletableFuture<List<Integer>> a = batcher.submitKeyed("a", List.of(List.of(1)));
        fixture.advanceMillis(5);
        CompletableFuture<List<Integer>> b = batcher.submitKeyed("b", List.of(List.of(2)));
        assertThat(batcher.timedQueues()).isEqualTo(2);
        assertThat(fixture.scheduler.pendingTasks()).isEqualTo(1); // one task serves every key's timer
        fixture.advanceMillis(5);
        assertThat(a).isDone();
        assertThat(b).isNotDone();
        fixture.advanceMillis(5);
        assertThat(b).isCompletedWithValue(List.of(2));
    }

    @Test
    void emptyListsGetAnEmptyResultWithoutACall() {
        Batcher<Integer, Integer> batcher = fixture.start(BatchFixture.config(2));

        CompletableFuture<List<Integer>> empty = batcher.submit(List.of(), List.of());

        assertThat(empty).isCompletedWithValue(List.of());
        assertThat(fixture.executions).isEmpty();
        assertThat(fixture.listener.count(BatchCallOutcome.SUCCESS)).isEqualTo(1);
    }

    @Test
    void callersListsAreCopiedAndResultsAreFreshMutableLists() {
        Batcher<Integer, Integer> batcher = fixture.start(BatchFixture.configBuilder(3).build());
        List<Integer> mine = new ArrayList<>(List.of(1, 2));

        CompletableFuture<List<Integer>> first = batcher.submit(mine);
        mine.set(0, 99);
        mine.add(100);
        CompletableFuture<List<Integer>> second = batcher.submit(List.of(3));

        assertThat(fixture.execution(0).columns()).containsExactly(List.of(1, 2, 3));
        List<Integer> firstResult = first.join();
        firstResult.add(42);
        assertThat(second.join()).containsExactly(3);
        assertThat(firstResult).containsExactly(1, 2, 42);
    }

    @Test
    void batchWaitingForASlotKeepsFillingAndTheRestKeepsItsOwnFirstArrival() {
        fixture.hold = true;
        Batcher<Integer, Integer> batcher = fixture.start(BatchFixture.configBuilder(3).maxConcurrentBatches(1).build());
        batcher.submitKeyed("x", List.of(List.of(0, 0, 0))); // runs, holds the only slot
        List<CompletableFuture<List<Integer>>> calls = new ArrayList<>();
        calls.add(batcher.submit(List.of(1)));  // t=0
        fixture.advanceMillis(10);              // t=10: due by time, no slot
        calls.add(batcher.submit(List.of(2)));  // keeps filling
        fixture.advanceMillis(2);
        calls.add(batcher.submit(List.of(3)));  // t=12
        fixture.advanceMillis(1);
        calls.add(batcher.submit(List.of(4)));  // t=13
        assertThat(fixture.executions).hasSize(1);
        assertThat(batcher.queuedRows()).isEqualTo(4);

        fixture.execution(0).answer(); // t=13: slot frees

        assertThat(fixture.executions).hasSize(2);
        assertThat(fixture.execution(1).columns()).containsExactly(List.of(1, 2, 3));
        assertThat(fixture.listener.batchEvents).contains("started test TIME rows=3 calls=3");
        assertThat(batcher.queuedRows()).isEqualTo(1);
        // The rest, [4], arrived at t=13: its own timer is due at t=23.
        assertThat(fixture.scheduler.pendingDelaysNanos())
                .contains(TimeUnit.MILLISECONDS.toNanos(10)).hasSize(2); // plus the processing timeout
        fixture.execution(1).answer();
        fixture.scheduler.advance(TimeUnit.MILLISECONDS.toNanos(10) - 1, TimeUnit.NANOSECONDS);
        assertThat(fixture.executions).hasSize(2);
        fixture.scheduler.advance(1, TimeUnit.NANOSECONDS);
        assertThat(fixture.executions).hasSize(3);
        fixture.execution(2).answer();
        assertThat(calls).extracting(CompletableFuture::join)
                .containsExactly(List.of(1), List.of(2), List.of(3), List.of(4));
        fixture.hold = false;
    }

    @Test
    void restThatIsStillFullIsFormedAsTheNextBatchWhenTheSlotFrees() {
        fixture.hold = true;
        Batcher<Integer, Integer> batcher = fixture.start(BatchFixture.configBuilder(2).maxConcurrentBatches(1).build());
        batcher.submitKeyed("x", List.of(List.of(0, 0)));
        List<CompletableFuture<List<Integer>>> calls = new ArrayList<>();
        for (int row = 1; row <= 5; row++) {
            calls.add(batcher.submit(List.of(row)));
        }
        assertThat(batcher.queuedCalls()).isEqualTo(5);

        fixture.execution(0).answer();
        assertThat(fixture.executions).hasSize(2);
        fixture.execution(1).answer();
        assertThat(fixture.executions).hasSize(3);
        fixture.execution(2).answer();

        assertThat(fixture.executions).extracting(BatchFixture.Execution::columns)
                .containsExactly(List.of(List.of(0, 0)), List.of(List.of(1, 2)), List.of(List.of(3, 4)));
        assertThat(fixture.listener.batchEvents).contains("started test SIZE rows=2 calls=2");
        fixture.advanceMillis(10);
        fixture.execution(3).answer();
        assertThat(fixture.execution(3).columns()).containsExactly(List.of(5));
        assertThat(calls).extracting(CompletableFuture::join)
                .containsExactly(List.of(1), List.of(2), List.of(3), List.of(4), List.of(5));
        fixture.hold = false;
    }

    @Test
    void loweringTheTargetFlushesQueuesThatReachIt() {
        Batcher<Integer, Integer> batcher = fixture.start(BatchFixture.configBuilder(5).build());
        CompletableFuture<List<Integer>> first = batcher.submit(List.of(1, 2));
        CompletableFuture<List<Integer>> small = batcher.submitKeyed("small", List.of(List.of(9)));

        batcher.setTargetBatchSize(2);

        assertThat(first).isCompletedWithValue(List.of(1, 2));
        assertThat(small).isNotDone();
        assertThat(batcher.config().targetBatchSize()).isEqualTo(2);
        fixture.advanceMillis(10);
        assertThat(small).isCompletedWithValue(List.of(9));
    }

    @Test
    void loweredWaitingTimeFlushesALaterQueueBeforeAnEarlierOne() {
        Batcher<Integer, Integer> batcher = fixture.start(BatchFixture.configBuilder(5).build());
        CompletableFuture<List<Integer>> slow = batcher.submitKeyed("slow", List.of(List.of(1)));
        fixture.advanceMillis(1);
        batcher.setMaxWaitingTime(Duration.ofMillis(2));
        CompletableFuture<List<Integer>> fast = batcher.submitKeyed("fast", List.of(List.of(2)));
        assertThat(fixture.scheduler.pendingDelaysNanos()).containsExactly(TimeUnit.MILLISECONDS.toNanos(2));

        fixture.advanceMillis(2); // t = 3 ms
        assertThat(fast).isCompletedWithValue(List.of(2));
        assertThat(slow).isNotDone();
        fixture.scheduler.advance(TimeUnit.MILLISECONDS.toNanos(7) - 1, TimeUnit.NANOSECONDS);
        assertThat(slow).isNotDone();
        fixture.scheduler.advance(1, TimeUnit.NANOSECONDS); // t = 10 ms
        assertThat(slow).isCompletedWithValue(List.of(1));
    }

    @Test
    void newWaitingTimeAppliesToBatchesStartedLater() {
        Batcher<Integer, Integer> batcher = fixture.start(BatchFixture.configBuilder(5).build());
        CompletableFuture<List<Integer>> early = batcher.submit(List.of(1));

        batcher.setMaxWaitingTime(Duration.ofMillis(50));
        CompletableFuture<List<Integer>> keyed = batcher.submitKeyed("k", List.of(List.of(2)));

        assertThat(batcher.timedQueues()).isEqualTo(2);
        assertThat(fixture.scheduler.pendingDelaysNanos()) // one task, for the earliest deadline
                .containsExactly(TimeUnit.MILLISECONDS.toNanos(10));
        fixture.advanceMillis(10);
        assertThat(early).isDone();
        assertThat(keyed).isNotDone();
        fixture.advanceMillis(40);
        assertThat(keyed).isDone();
        assertThat(batcher.config().maxWaitingTime()).isEqualTo(Duration.ofMillis(50));
    }

    @Test
    void liveFiguresFollowTheBatches() {
        fixture.hold = true;
        Batcher<Integer, Integer> batcher = fixture.start(BatchFixture.configBuilder(3).build());

        batcher.submit(List.of(1, 2));
        assertThat(batcher.queuedCalls()).isEqualTo(1);
        assertThat(batcher.queuedRows()).isEqualTo(2);
        assertThat(batcher.batchesInFlight()).isZero();
        batcher.submit(List.of(3));
        assertThat(batcher.queuedCalls()).isZero();
        assertThat(batcher.queuedRows()).isZero();
        assertThat(batcher.batchesInFlight()).isEqualTo(1);
        fixture.advanceMillis(7);
        fixture.execution(0).answer();
        assertThat(batcher.batchesInFlight()).isZero();
        assertThat(fixture.listener.processingNanos).containsExactly(TimeUnit.MILLISECONDS.toNanos(7));
        fixture.hold = false;
    }
}
