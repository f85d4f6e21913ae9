package dev.dike.batch;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code maxWaitingTime = 0} with a cap on concurrent batches, on the virtual clock: a batch is
 * formed as soon as a slot is free, and fills only while every slot is busy.
 */
class BatcherZeroWaitTest {

    private final BatchFixture fixture = new BatchFixture();

    @AfterEach
    void nothingLeftBehind() {
        fixture.assertIdle();
        fixture.batcher.setMaxWaitingTime(Duration.ofMillis(10)); // assertStillWorks flushes by size
        fixture.assertStillWorks();
    }

    private static BatchConfig zeroWait(int target, int slots) {
        return BatchFixture.configBuilder(target).maxWaitingTime(Duration.ZERO).maxConcurrentBatches(slots).build();
    }

    @Test
    void anIdleBatcherSendsTheFirstCallAtOnceWithoutATimer() {
        fixture.hold = true;
        Batcher<Integer, Integer> batcher = fixture.start(zeroWait(100, 1));

        CompletableFuture<List<Integer>> first = batcher.submit(List.of(1));

        assertThat(fixture.executions).as("sent at once, the clock never moved").hasSize(1);
        assertThat(batcher.timedQueues()).isZero();
        assertThat(fixture.listener.batchEvents).containsExactly("started test TIME rows=1 calls=1");
        fixture.execution(0).answer();
        assertThat(first).isCompletedWithValue(List.of(1));
    }

    @Test
    void aBusyBatcherAccumulatesUntilASlotFreesThenSendsEverythingAtOnce() {
        fixture.hold = true;
        Batcher<Integer, Integer> batcher = fixture.start(zeroWait(100, 1));
        batcher.submit(List.of(1));

        CompletableFuture<List<Integer>> second = batcher.submit(List.of(2));
        batcher.submit(List.of(3));
        CompletableFuture<List<Integer>> fourth = batcher.submit(List.of(4));
        fixture.advanceMillis(1_000 - 1); // waiting is bounded only by the running batch
        assertThat(fixture.executions).hasSize(1);
        assertThat(batcher.queuedRows()).isEqualTo(3);
        fixture.execution(0).answer();

        assertThat(fixture.executions).hasSize(2);
        assertThat(fixture.execution(1).columns()).containsExactly(List.of(2, 3, 4));
        fixture.execution(1).answer();
        assertThat(second).isCompletedWithValue(List.of(2));
        assertThat(fourth).isCompletedWithValue(List.of(4));
        assertThat(batcher.timedQueues()).isZero();
    }

    @Test
    void everyFreeSlotSendsAtOnceAndOnlyTheLastBusyOneMakesCallsWait() {
        fixture.hold = true;
        Batcher<Integer, Integer> batcher = fixture.start(zeroWait(100, 2));

        batcher.submit(List.of(1));
        batcher.submit(List.of(2));
        batcher.submit(List.of(3));
        batcher.submit(List.of(4));

        assertThat(fixture.executions).hasSize(2);
        assertThat(fixture.execution(0).columns()).containsExactly(List.of(1));
        assertThat(fixture.execution(1).columns()).containsExactly(List.of(2));
        fixture.execution(1).answer();
        assertThat(fixture.execution(2).columns()).containsExactly(List.of(3, 4));
        fixture.execution(0).answer();
        fixture.execution(2).answer();
    }

    @Test
    void theTargetStillCutsAnAccumulatedQueueIntoBatches() {
        fixture.hold = true;
        Batcher<Integer, Integer> batcher = fixture.start(zeroWait(2, 1));
        batcher.submit(List.of(1));
        for (int row = 2; row <= 6; row++) {
            batcher.submit(List.of(row));
        }

        fixture.execution(0).answer();
        assertThat(fixture.execution(1).columns()).containsExactly(List.of(2, 3));
        fixture.execution(1).answer();
        assertThat(fixture.execution(2).columns()).containsExactly(List.of(4, 5));
        fixture.execution(2).answer();
        assertThat(fixture.execution(3).columns()).containsExactly(List.of(6));
        fixture.execution(3).answer();
    }

    @Test
    void aZeroWaitNeedsACapOnConcurrentBatches() {
        assertThatThrownBy(() -> BatchConfig.builder().targetBatchSize(5).maxWaitingTime(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid batch maxWaitingTime 'PT0S': a zero wait needs maxConcurrentBatches: batches "
                        + "fill only while every slot is busy, so without a cap every call would be sent alone; "
                        + "set maxConcurrentBatches or a positive maxWaitingTime");
        assertThatThrownBy(() -> BatchConfig.builder().targetBatchSize(5).maxWaitingTime(Duration.ofMillis(-1))
                .maxConcurrentBatches(1).build())
                .hasMessage("Invalid batch maxWaitingTime 'PT-0.001S': must be positive, or 0 with maxConcurrentBatches");

        Batcher<Integer, Integer> uncapped = fixture.start(BatchFixture.config(5));
        assertThatThrownBy(() -> uncapped.setMaxWaitingTime(Duration.ZERO))
                .hasMessageStartingWith("Batcher test: Invalid batch maxWaitingTime 'PT0S': a zero wait needs");
    }

    @Test
    void aWaitLoweredToZeroAtRuntimeSendsTheNextCallAtOnce() {
        Batcher<Integer, Integer> batcher = fixture.start(BatchFixture.configBuilder(100).maxConcurrentBatches(1).build());
        batcher.setMaxWaitingTime(Duration.ZERO);

        CompletableFuture<List<Integer>> first = batcher.submit(List.of(7));

        assertThat(first).isCompletedWithValue(List.of(7));
    }
}
