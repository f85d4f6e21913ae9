package dev.dike.batch;

import dev.dike.time.ManualDelayScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Rows of {@link Batcher#submitDistinct} whose {@code hashCode}/{@code equals} misbehave: they are
 * user code that the queues would otherwise call under their lock. Whatever a row does, every caller
 * completes exactly once and the batcher ends idle.
 */
class BatcherDistinctRowsTest {

    private final ManualDelayScheduler scheduler = new ManualDelayScheduler();
    private final RecordingListener listener = new RecordingListener();
    private final Batcher<Object, Object> batcher = Batcher.<Object, Object>builder("rows",
                    (key, columns) -> CompletableFuture.completedFuture(columns.get(0)))
            .config(BatchConfig.builder().targetBatchSize(3).maxWaitingTime(Duration.ofMillis(10)).build())
            .scheduler(scheduler).executor(Runnable::run).listener(listener).build();

    /** A key whose value callers may change, with equality by value. */
    static final class MutableKey {
        int value;

        MutableKey(int value) {
            this.value = value;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof MutableKey && ((MutableKey) other).value == value;
        }

        @Override
        public int hashCode() {
            return value;
        }
    }

    /** A key that cannot be hashed. */
    static final class Unhashable {
        @Override
        public int hashCode() {
            throw new UnsupportedOperationException("no hash");
        }
    }

    @AfterEach
    void idle() {
        assertThat(batcher.queuedCalls()).isZero();
        assertThat(batcher.queuedRows()).isZero();
        assertThat(batcher.liveQueues()).isZero();
        assertThat(batcher.listedQueues()).isZero();
        assertThat(batcher.batchesInFlight()).isZero();
    }

    private CompletableFuture<List<Object>> one(Object item) {
        return batcher.submitDistinct(null, List.of(Collections.singletonList(item)));
    }

    /**
     * Old code hashed the row under the queue's lock after queuing the call: the exception escaped
     * submitDistinct, which must never throw, and the call stayed queued, never to be answered.
     */
    @Test
    void aRowWhoseHashCodeThrowsFailsThatCallAloneAndQueuesNothing() {
        CompletableFuture<List<Object>> broken = one(new Unhashable());

        assertThat(broken).isCompletedExceptionally();
        assertThat(catchThrowable(broken::join).getCause()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Batcher rows: row 0 of the call cannot be compared with other rows: its "
                        + "hashCode() threw java.lang.UnsupportedOperationException: no hash");
        assertThat(listener.count(BatchCallOutcome.REJECTED)).isEqualTo(1);
        assertThat(batcher.queuedCalls()).isZero();

        CompletableFuture<List<Object>> fine = one("a");
        scheduler.advance(10, TimeUnit.MILLISECONDS);
        assertThat(fine).isCompletedWithValue(List.of("a"));
    }

    /**
     * Two callers share a row; one changes it while queued, so the rows are no longer equal. Old code
     * looked the changed row up by its new hash when the batch was formed, found nothing, and threw
     * under the queue's lock on the timer thread: no caller was ever answered. A third caller changes
     * its row and cancels: its withdrawal must not throw either, or its queue would never retire.
     */
    @Test
    void aRowChangedWhileQueuedStrandsNoCaller() {
        MutableKey shared = new MutableKey(1);
        MutableKey changed = new MutableKey(1);
        MutableKey withdrawn = new MutableKey(2);
        CompletableFuture<List<Object>> first = one(shared);
        CompletableFuture<List<Object>> second = one(changed);
        CompletableFuture<List<Object>> cancelled = one(withdrawn);
        withdrawn.value = 20;
        cancelled.cancel(false);
        assertThat(batcher.queuedCalls()).isEqualTo(2);
        changed.value = 5;

        scheduler.advance(10, TimeUnit.MILLISECONDS);

        assertThat(first).isCompletedWithValue(List.of(shared));
        assertThat(second.join()).singleElement().isIn(shared, changed);
        assertThat(listener.count(BatchCallOutcome.SUCCESS)).isEqualTo(2);
        assertThat(listener.count(BatchCallOutcome.CANCELLED)).isEqualTo(1);
    }

    /**
     * An equals that throws counts as "not equal": both rows are sent, every caller answered. Old code
     * called it under the queue's lock, and the exception escaped submitDistinct.
     */
    @Test
    void aRowWhoseEqualsThrowsIsSentOnItsOwn() {
        Object first = new Object() {
            @Override
            public boolean equals(Object other) {
                throw new IllegalStateException("no equals");
            }

            @Override
            public int hashCode() {
                return 7;
            }
        };
        Object second = new Object() {
            @Override
            public int hashCode() {
                return 7;
            }
        };

        CompletableFuture<List<Object>> b = one(second);
        CompletableFuture<List<Object>> a = one(first); // compared with second's row: first.equals throws
        CompletableFuture<List<Object>> c = one(first);
        scheduler.advance(10, TimeUnit.MILLISECONDS);

        assertThat(a).isCompletedWithValue(List.of(first));
        assertThat(b).isCompletedWithValue(List.of(second));
        assertThat(c).isCompletedWithValue(List.of(first)); // the same object: equal by identity
        assertThat(listener.batchEvents).first().isEqualTo("deduplicated rows rows=1");
    }
}
