package dev.dike.batch;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** Calls submitted with distinct rows: each distinct row of a batch is sent once and shared. */
class BatcherDistinctTest {

    private final BatchFixture fixture = new BatchFixture();

    @AfterEach
    void nothingLeftBehind() {
        fixture.assertIdle();
        fixture.assertStillWorks();
    }

    private CompletableFuture<List<Integer>> one(Object key, Integer item) {
        return fixture.batcher.submitDistinct(key, List.of(Collections.singletonList(item)));
    }

    @Test
    void equalRowsAreSentOnceAndEveryCallerGetsTheirResult() {
        fixture.start(BatchFixture.config(3));

        List<CompletableFuture<List<Integer>>> calls = new ArrayList<>();
        for (int item : new int[] {1, 1, 2, 1}) {
            calls.add(one(null, item));
        }
        assertThat(fixture.executions).as("two distinct rows of a target of 3").isEmpty();
        assertThat(fixture.batcher.queuedRows()).as("rows as submitted").isEqualTo(4);
        calls.add(one(null, 3));

        assertThat(fixture.executions).hasSize(1);
        assertThat(fixture.execution(0).columns()).containsExactly(List.of(1, 2, 3));
        assertThat(calls).extracting(CompletableFuture::join)
                .containsExactly(List.of(1), List.of(1), List.of(2), List.of(1), List.of(3));
        assertThat(fixture.listener.batchEvents)
                .containsExactly("deduplicated test rows=2", "started test SIZE rows=3 calls=5", "completed test rows=3");
    }

    @Test
    void aCallsOwnRepeatedRowsAreSentOnceToo() {
        fixture.start(BatchFixture.config(2));

        CompletableFuture<List<Integer>> first = fixture.batcher.submitDistinct(null,
                List.of(List.of(1, 2, 1), List.of(5, 5, 5)));

        assertThat(fixture.execution(0).columns()).containsExactly(List.of(1, 2), List.of(5, 5));
        assertThat(first).isCompletedWithValue(List.of(6, 7, 6));
    }

    @Test
    void rowsOfSeveralColumnsAreEqualOnlyWhenEveryValueIs() {
        fixture.start(BatchFixture.config(3));

        CompletableFuture<List<Integer>> first = fixture.batcher.submitDistinct(null, List.of(List.of(1), List.of(5)));
        CompletableFuture<List<Integer>> second = fixture.batcher.submitDistinct(null, List.of(List.of(1), List.of(6)));
        CompletableFuture<List<Integer>> third = fixture.batcher.submitDistinct(null, List.of(List.of(1), List.of(5)));
        assertThat(fixture.executions).isEmpty();
        fixture.advanceMillis(10);

        assertThat(fixture.execution(0).columns()).containsExactly(List.of(1, 1), List.of(5, 6));
        assertThat(first).isCompletedWithValue(List.of(6));
        assertThat(second).isCompletedWithValue(List.of(7));
        assertThat(third).isCompletedWithValue(List.of(6));
    }

    @Test
    void nullIsARowLikeAnyOther() {
        fixture.start(BatchFixture.config(2));
        fixture.override = (key, columns) -> CompletableFuture.completedFuture(
                columns.get(0).stream().map(item -> item == null ? -1 : item).toList());

        CompletableFuture<List<Integer>> first = one(null, null);
        CompletableFuture<List<Integer>> second = one(null, null);
        CompletableFuture<List<Integer>> third = one(null, 4);

        assertThat(fixture.execution(0).columns().get(0)).containsExactly(null, 4);
        assertThat(first).isCompletedWithValue(List.of(-1));
        assertThat(second).isCompletedWithValue(List.of(-1));
        assertThat(third).isCompletedWithValue(List.of(4));
    }

    @Test
    void keysKeepTheirOwnRows() {
        fixture.start(BatchFixture.config(2));

        one("a", 1);
        one("b", 1);
        one("a", 1);
        assertThat(fixture.executions).isEmpty();
        one("a", 2);

        assertThat(fixture.execution(0).key()).isEqualTo("a");
        assertThat(fixture.execution(0).columns()).containsExactly(List.of(1, 2));
        fixture.advanceMillis(10);
        assertThat(fixture.execution(1).key()).isEqualTo("b");
        assertThat(fixture.execution(1).columns()).containsExactly(List.of(1));
    }

    @Test
    void aFullBatchStillTakesLaterCallsWhoseRowsItSendsAnyway() {
        fixture.hold = true;
        fixture.start(BatchFixture.configBuilder(2).maxConcurrentBatches(1).build());
        one(null, 9);
        one(null, 8); // batch 0 runs and holds the only slot

        CompletableFuture<List<Integer>> first = one(null, 1);
        one(null, 2);
        CompletableFuture<List<Integer>> other = one(null, 3);
        CompletableFuture<List<Integer>> repeat = one(null, 1);
        fixture.execution(0).answer();

        assertThat(fixture.execution(1).columns()).containsExactly(List.of(1, 2));
        assertThat(fixture.listener.batchEvents).contains("started test SIZE rows=2 calls=3");
        fixture.execution(1).answer();
        assertThat(first).isCompletedWithValue(List.of(1));
        assertThat(repeat).isCompletedWithValue(List.of(1));
        assertThat(other).isNotDone();
        fixture.advanceMillis(10);
        assertThat(fixture.execution(2).columns()).containsExactly(List.of(3));
        fixture.execution(2).answer();
        assertThat(other).isCompletedWithValue(List.of(3));
    }

    @Test
    void aCancelledCallerLeavesItsRowToTheOthersAndARowNobodyWantsIsNotSent() {
        fixture.start(BatchFixture.config(3));

        CompletableFuture<List<Integer>> cancelled = one(null, 1);
        CompletableFuture<List<Integer>> kept = one(null, 1);
        CompletableFuture<List<Integer>> gone = one(null, 2);
        cancelled.cancel(false);
        gone.cancel(false);
        one(null, 3);
        assertThat(fixture.executions).as("distinct rows left: 1 and 3").isEmpty();
        fixture.advanceMillis(10);

        assertThat(fixture.execution(0).columns()).containsExactly(List.of(1, 3));
        assertThat(kept).isCompletedWithValue(List.of(1));
        assertThat(fixture.listener.count(BatchCallOutcome.CANCELLED)).isEqualTo(2);
    }

    @Test
    void aCallerCancellingAfterItsBatchFormedLeavesTheOthersOfItsRow() {
        fixture.hold = true;
        fixture.start(BatchFixture.config(1));

        CompletableFuture<List<Integer>> cancelled = one(null, 1);
        assertThat(fixture.executions).hasSize(1);
        cancelled.cancel(false);
        fixture.execution(0).answer();

        assertThat(cancelled).isCancelled();
        assertThat(fixture.listener.count(BatchCallOutcome.CANCELLED)).isEqualTo(1);
    }

    @Test
    void aFailureOrAWrongSizeReachesEveryCallerOfEveryRow() {
        fixture.start(BatchFixture.config(2));
        IllegalStateException failure = new IllegalStateException("backend down");
        fixture.override = (key, columns) -> CompletableFuture.failedFuture(failure);

        CompletableFuture<List<Integer>> first = one(null, 1);
        CompletableFuture<List<Integer>> second = one(null, 1);
        one(null, 2);
        assertThat(first).isCompletedExceptionally();
        assertThat(first.handle((value, error) -> RunningBatch.unwrap(error)).join()).isSameAs(failure);
        assertThat(second.handle((value, error) -> RunningBatch.unwrap(error)).join()).isSameAs(failure);

        fixture.override = (key, columns) -> CompletableFuture.completedFuture(List.of(1, 2, 3));
        CompletableFuture<List<Integer>> third = one(null, 4);
        one(null, 4);
        one(null, 5);
        assertThat(third.handle((value, error) -> RunningBatch.unwrap(error).getMessage()).join())
                .isEqualTo("Batch operation of test returned 3 results for 2 rows");
    }

    @Test
    void callsOfOneKeyCannotMixDistinctAndPlainRows() {
        fixture.start(BatchFixture.config(5));

        CompletableFuture<List<Integer>> distinct = one("k", 1);
        CompletableFuture<List<Integer>> plain = fixture.batcher.submitKeyed("k", List.of(List.of(1)));

        assertThat(plain.handle((value, error) -> error.getMessage()).join())
                .isEqualTo("Batcher test: a call without distinct rows cannot join a batch of calls with them");
        fixture.advanceMillis(10);
        assertThat(distinct).isCompletedWithValue(List.of(1));
    }
}
