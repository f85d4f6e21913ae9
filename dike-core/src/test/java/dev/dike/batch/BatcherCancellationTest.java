package dev.dike.batch;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** A caller that gives up before its batch starts leaves it; after that, it changes nothing for the others. */
class BatcherCancellationTest {

    private final BatchFixture fixture = new BatchFixture();

    @AfterEach
    void nothingLeftBehind() {
        fixture.assertIdle();
        fixture.assertStillWorks();
    }

    @Test
    void callerCancelledBeforeItsBatchStartsIsRemovedAndItsRowsAreNotSent() {
        Batcher<Integer, Integer> batcher = fixture.start(BatchFixture.config(4));
        CompletableFuture<List<Integer>> first = batcher.submit(List.of(1));
        CompletableFuture<List<Integer>> cancelled = batcher.submit(List.of(2, 3));
        assertThat(batcher.queuedRows()).isEqualTo(3);

        cancelled.cancel(false);
        assertThat(batcher.queuedCalls()).isEqualTo(1);
        assertThat(batcher.queuedRows()).isEqualTo(1);
        CompletableFuture<List<Integer>> third = batcher.submit(List.of(4));
        CompletableFuture<List<Integer>> fourth = batcher.submit(List.of(5));
        assertThat(fixture.executions).isEmpty();
        CompletableFuture<List<Integer>> fifth = batcher.submit(List.of(6));

        assertThat(fixture.execution(0).columns()).containsExactly(List.of(1, 4, 5, 6));
        assertThat(first).isCompletedWithValue(List.of(1));
        assertThat(third).isCompletedWithValue(List.of(4));
        assertThat(fourth).isCompletedWithValue(List.of(5));
        assertThat(fifth).isCompletedWithValue(List.of(6));
        assertThat(cancelled).isCancelled();
        assertThat(fixture.listener.count(BatchCallOutcome.CANCELLED)).isEqualTo(1);
        assertThat(fixture.listener.count(BatchCallOutcome.SUCCESS)).isEqualTo(4);
    }

    @Test
    void batchLeftEmptyIsNotRunAndItsTimerIsCancelled() {
        Batcher<Integer, Integer> batcher = fixture.start(BatchFixture.config(3));
        CompletableFuture<List<Integer>> first = batcher.submit(List.of(1));
        CompletableFuture<List<Integer>> second = batcher.submit(List.of(2));

        first.cancel(true);
        second.cancel(true);

        fixture.assertIdle();
        fixture.advanceMillis(100);
        assertThat(fixture.executions).isEmpty();
        assertThat(fixture.listener.batchEvents).isEmpty();
    }

    @Test
    void dueBatchWhoseCallersAllCancelWhileWaitingForASlotIsNotRun() {
        fixture.hold = true;
        Batcher<Integer, Integer> batcher = fixture.start(BatchFixture.configBuilder(2).maxConcurrentBatches(1).build());
        batcher.submitKeyed("x", List.of(List.of(0, 0)));
        CompletableFuture<List<Integer>> first = batcher.submit(List.of(1));
        CompletableFuture<List<Integer>> second = batcher.submit(List.of(2)); // due, waiting for the slot

        first.cancel(false);
        second.cancel(false);
        fixture.execution(0).answer();

        assertThat(fixture.executions).hasSize(1);
        assertThat(batcher.batchesInFlight()).isZero();
        fixture.hold = false;
    }

    @Test
    void cancellingOneCallerAfterItsBatchStartedChangesNothingForTheOthers() {
        fixture.hold = true;
        Batcher<Integer, Integer> batcher = fixture.start(BatchFixture.config(3));
        CompletableFuture<List<Integer>> first = batcher.submit(List.of(1));
        CompletableFuture<List<Integer>> second = batcher.submit(List.of(2));
        CompletableFuture<List<Integer>> third = batcher.submit(List.of(3));

        second.cancel(true);
        assertThat(fixture.execution(0).reply()).isNotCancelled();
        fixture.execution(0).answer();

        assertThat(fixture.execution(0).columns()).containsExactly(List.of(1, 2, 3));
        assertThat(first).isCompletedWithValue(List.of(1));
        assertThat(second).isCancelled();
        assertThat(third).isCompletedWithValue(List.of(3));
        assertThat(fixture.listener.count(BatchCallOutcome.CANCELLED)).isEqualTo(1);
        assertThat(fixture.listener.count(BatchCallOutcome.SUCCESS)).isEqualTo(2);
        fixture.hold = false;
    }

    @Test
    void callerCancelledWhileItsBatchIsBeingFormedIsSkipped() {
        // The caller's own callbacks run before the batcher's removal hook; here one of them submits
        // the call that fills the batch, so the batch is formed while the cancelled call is still queued.
        Batcher<Integer, Integer> batcher = fixture.start(BatchFixture.config(3));
        CompletableFuture<List<Integer>> cancelled = batcher.submit(List.of(1));
        AtomicReference<CompletableFuture<List<Integer>>> filler = new AtomicReference<>();
        cancelled.whenComplete((result, error) -> filler.set(batcher.submit(List.of(2, 3, 4))));

        cancelled.cancel(false);

        assertThat(fixture.executions).hasSize(1);
        assertThat(fixture.execution(0).columns()).containsExactly(List.of(2, 3, 4));
        assertThat(filler.get()).isCompletedWithValue(List.of(2, 3, 4));
        assertThat(fixture.listener.count(BatchCallOutcome.CANCELLED)).isEqualTo(1);
    }

    @Test
    void callerThatCompletesItsOwnFutureIsWithdrawnLikeACancelledOne() {
        Batcher<Integer, Integer> batcher = fixture.start(BatchFixture.config(2));
        CompletableFuture<List<Integer>> impatient = batcher.submit(List.of(1));

        impatient.complete(List.of(-1));
        CompletableFuture<List<Integer>> second = batcher.submit(List.of(2));
        assertThat(fixture.executions).isEmpty();
        CompletableFuture<List<Integer>> third = batcher.submit(List.of(3));

        assertThat(fixture.execution(0).columns()).containsExactly(List.of(2, 3));
        assertThat(List.of(second.join(), third.join())).containsExactly(List.of(2), List.of(3));
        assertThat(fixture.listener.count(BatchCallOutcome.CANCELLED)).isEqualTo(1);
    }

    @Test
    void cancelledCallerOfAQueueThatLivesOnLeavesTheRestIntact() {
        fixture.hold = true;
        Batcher<Integer, Integer> batcher = fixture.start(BatchFixture.configBuilder(2).maxConcurrentBatches(1).build());
        batcher.submitKeyed("x", List.of(List.of(0, 0)));
        List<CompletableFuture<List<Integer>>> calls = new ArrayList<>();
        for (int row = 1; row <= 4; row++) {
            calls.add(batcher.submit(List.of(row)));
        }

        calls.get(1).cancel(false);
        fixture.execution(0).answer();

        assertThat(fixture.execution(1).columns()).containsExactly(List.of(1, 3));
        fixture.execution(1).answer();
        fixture.advanceMillis(10);
        assertThat(fixture.execution(2).columns()).containsExactly(List.of(4));
        fixture.execution(2).answer();
        assertThat(calls.get(3)).isCompletedWithValue(List.of(4));
        fixture.hold = false;
    }
}
