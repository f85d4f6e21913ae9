package dev.dike.batch;

import dev.dike.time.DelayScheduler;
import dev.dike.time.ManualDelayScheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A batcher of integers on a manual clock and a direct executor, whose operation records every
 * batch and, unless told to hold, answers at once with the element-wise sum of the columns.
 */
final class BatchFixture {

    static final String NAME = "test";

    /** One call of the operation and the future it returned. */
    record Execution(Object key, List<List<Integer>> columns, CompletableFuture<List<Integer>> reply) {

        List<Integer> sums() {
            return BatchFixture.sums(columns);
        }

        void answer() {
            reply.complete(sums());
        }
    }

    final ManualDelayScheduler scheduler = new ManualDelayScheduler();
    final RecordingListener listener = new RecordingListener();
    final List<Execution> executions = new CopyOnWriteArrayList<>();
    /** When true the operation returns pending futures, answered by the test. */
    volatile boolean hold;
    /** When set, the operation records the batch and then does this instead of answering. */
    volatile BatchOperation<Integer, Integer> override;
    /** Set when the test's scheduler ignores cancel(): stale timers then stay pending until the clock passes them. */
    private boolean cancelIgnored;
    Batcher<Integer, Integer> batcher;
    /** Every batcher started on {@link #scheduler}: each may keep its processing-timeout and flush timers a while. */
    private final List<Batcher<Integer, Integer>> started = new ArrayList<>();

    static BatchConfig config(int target) {
        return BatchConfig.builder().targetBatchSize(target).build();
    }

    static BatchConfig.Builder configBuilder(int target) {
        return BatchConfig.builder().targetBatchSize(target).maxWaitingTime(Duration.ofMillis(10))
                .maxProcessingTime(Duration.ofSeconds(1));
    }

    Batcher<Integer, Integer> start(BatchConfig config) {
        return start(config, Runnable::run);
    }

    Batcher<Integer, Integer> start(BatchConfig config, Executor executor) {
        return start(config, executor, this::record);
    }

    Batcher<Integer, Integer> start(BatchConfig config, Executor executor, BatchOperation<Integer, Integer> operation) {
        return start(config, executor, operation, scheduler);
    }

    Batcher<Integer, Integer> start(BatchConfig config, Executor executor, BatchOperation<Integer, Integer> operation,
            DelayScheduler delayScheduler) {
        return adopt(Batcher.builder(NAME, operation).config(config).scheduler(delayScheduler).executor(executor)
                .listener(listener).build());
    }

    /** Makes a batcher that the test built on {@link #scheduler} the one under test. */
    Batcher<Integer, Integer> adopt(Batcher<Integer, Integer> built) {
        started.add(built);
        batcher = built;
        return built;
    }

    /**
     * A scheduler on the manual clock whose cancel() comes too late: every task runs anyway, as a
     * task does that was already running when it was cancelled.
     */
    DelayScheduler lateCancellingScheduler() {
        cancelIgnored = true;
        return new DelayScheduler() {
            @Override
            public ScheduledTask schedule(Runnable task, long delay, TimeUnit unit) {
                scheduler.schedule(task, delay, unit);
                return () -> false;
            }

            @Override
            public long nanoTime() {
                return scheduler.nanoTime();
            }
        };
    }

    CompletionStage<? extends List<? extends Integer>> record(Object key, List<List<Integer>> columns)
            throws Exception {
        Execution execution = new Execution(key, columns, new CompletableFuture<>());
        executions.add(execution);
        BatchOperation<Integer, Integer> instead = override;
        if (instead != null) {
            return instead.execute(key, columns);
        }
        if (!hold) {
            execution.answer();
        }
        return execution.reply();
    }

    Execution execution(int index) {
        assertThat(executions).hasSizeGreaterThan(index);
        return executions.get(index);
    }

    void advanceMillis(long millis) {
        scheduler.advance(millis, TimeUnit.MILLISECONDS);
    }

    /**
     * Nothing queued, nothing running, no queue alive, no runner, no timer pending but the one flush
     * task and the one processing-timeout task that an idle batcher may keep until they fire.
     */
    void assertIdle() {
        assertThat(batcher.queuedCalls()).as("queued calls").isZero();
        assertThat(batcher.queuedRows()).as("queued rows").isZero();
        assertThat(batcher.batchesInFlight()).as("batches in flight").isZero();
        assertThat(batcher.liveQueues()).as("live key queues").isZero();
        assertThat(batcher.listedQueues()).as("queues listed as due").isZero();
        assertThat(batcher.runners()).as("runners").isZero();
        assertThat(batcher.timedQueues()).as("queues waiting for their flush timer").isZero();
        assertThat(strayTimers()).as("pending timers").isZero();
    }

    /**
     * @return the pending timers other than each batcher's one flush task and one processing-timeout
     *         task, which may stay pending for a while after the batcher went idle
     */
    int strayTimers() {
        long batcherTimers = started.stream().filter(Batcher::processingTimerArmed).count()
                + started.stream().filter(Batcher::flushTimerArmed).count();
        return scheduler.pendingTasks() - (int) batcherTimers;
    }

    /** The batcher still batches correctly: two calls flushed together by size. */
    void assertStillWorks() {
        boolean held = hold;
        hold = false;
        override = null;
        int before = executions.size();
        int target = batcher.config().targetBatchSize();
        List<CompletableFuture<List<Integer>>> futures = new ArrayList<>();
        for (int row = 0; row < target; row++) {
            futures.add(batcher.submit(List.of(row), List.of(100)));
        }
        assertThat(executions).hasSize(before + 1);
        for (int row = 0; row < target; row++) {
            assertThat(futures.get(row)).isCompletedWithValue(List.of(row + 100));
        }
        hold = held;
        if (cancelIgnored) {
            scheduler.advance(400, TimeUnit.DAYS); // lets the uncancelled timers fire, harmlessly
        }
        assertIdle();
    }

    static List<Integer> sums(List<List<Integer>> columns) {
        List<Integer> sums = new ArrayList<>();
        for (int row = 0; row < columns.get(0).size(); row++) {
            int sum = 0;
            for (List<Integer> column : columns) {
                sum += column.get(row);
            }
            sums.add(sum);
        }
        return sums;
    }
}
