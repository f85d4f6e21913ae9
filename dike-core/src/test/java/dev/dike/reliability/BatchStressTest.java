package dev.dike.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dike.batch.BatchCallOutcome;
import dev.dike.batch.BatchConfig;
import dev.dike.batch.Batcher;
import dev.dike.batch.FlushReason;

import java.time.Duration;
import java.util.concurrent.ExecutorService;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hundreds of thousands of callers from many threads against a batch operation that throws, fails
 * its future, returns the wrong number of results, returns null, or runs past
 * {@code maxProcessingTime}, while callers cancel. Every caller completes exactly once, with exactly
 * its own slice or the exception its batch's fault calls for; no batch mixes keys or splits a caller;
 * nothing remains queued or running afterwards, and the batcher keeps serving correctly.
 */
@Tag("stress")
class BatchStressTest {

    private static final int THREADS = 16;
    private static final int TARGET = 16;
    private static final int KEYS = 6;
    /** Far above a batch's real processing time (microseconds), even on an overloaded machine. */
    private static final Duration MAX_PROCESSING_TIME = Duration.ofSeconds(5);

    private final ExecutorService later = StressThreads.pool("batch-later", 2);
    private final Violations violations = new Violations();

    @AfterEach
    void shutDown() {
        later.shutdownNow();
    }

    @Test
    void everyCallerGetsItsOwnSliceOrItsBatchsFailure() throws Exception {
        run("unlimited-batches", 200_000, BatchConfig.UNLIMITED, true, 10_000);
    }

    @Test
    void everyCallerCompletesWhenFewBatchesMayRunAtOnce() throws Exception {
        // No operation that runs past maxProcessingTime here: three of them would hold every slot.
        run("max-concurrent-batches-3", 60_000, 3, false, 20_000);
    }

    @Test
    void everyCallerCompletesWithAZeroWait() throws Exception {
        // Batches are formed as soon as a slot frees and no flush timer exists: a call left in a queue
        // when the load stops would never be answered.
        run("zero-wait", 40_000, 2, false, 30_000, Duration.ZERO);
    }

    private void run(String scenario, int callers, int maxConcurrentBatches, boolean slowFaults, long seed)
            throws Exception {
        run(scenario, callers, maxConcurrentBatches, slowFaults, seed, Duration.ofMillis(2));
    }

    private void run(String scenario, int callers, int maxConcurrentBatches, boolean slowFaults, long seed,
            Duration maxWaitingTime) throws Exception {
        int afterwards = 10_000;
        BatchWorkload workload = new BatchWorkload(callers + afterwards, TARGET, slowFaults, violations, later);
        CountingBatchListener listener = new CountingBatchListener();
        BatchConfig config = BatchConfig.builder().targetBatchSize(TARGET).maxWaitingTime(maxWaitingTime)
                .maxProcessingTime(MAX_PROCESSING_TIME).maxConcurrentBatches(maxConcurrentBatches).build();
        long started = System.nanoTime();
        try (Batcher<Long, Long> batcher = Batcher.builder("stress-" + scenario, workload).config(config)
                .listener(listener).build()) {
            BatchWorkload.Submitter submitter = batcher::submitKeyed;

            StressThreads.runAll("batch-caller", THREADS,
                    t -> workload.runCallers(callers / THREADS, seed + t, BatchStressTest::keyOf, submitter));
            assertAllAnsweredAndIdle(batcher, workload, listener);
            long faultyCallers = workload.completed.sum();

            // The same batcher, after all that, still serves every caller its own slice.
            workload.stopFaults();
            long succeededBefore = workload.succeeded.sum();
            StressThreads.runAll("batch-caller", 4,
                    t -> workload.runCallers(afterwards / 4, seed + 100 + t, BatchStressTest::keyOf, submitter));
            assertAllAnsweredAndIdle(batcher, workload, listener);
            assertThat(workload.succeeded.sum() - succeededBefore).as("callers served after the faults")
                    .isGreaterThan(afterwards / 2);

            report(scenario, workload, listener, faultyCallers, started);
        } finally {
            workload.completeAbandoned();
        }
    }

    private static Object keyOf(long id) {
        // Mostly keyed calls, some unkeyed (null key), spread over the keys in no simple order.
        long mixed = (id * 0x9E3779B97F4A7C15L) >>> 40;
        return mixed % (KEYS + 1) == KEYS ? null : (Object) (mixed % (KEYS + 1));
    }

    private void assertAllAnsweredAndIdle(Batcher<Long, Long> batcher, BatchWorkload workload,
            CountingBatchListener listener) {
        long submitted = workload.submitted.sum();
        // Timed-out batches answer after maxProcessingTime; everything else within milliseconds.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
                .until(() -> workload.completed.sum() == submitted && listener.callsCompleted.sum() == submitted
                        && batcher.queuedCalls() == 0 && batcher.batchesInFlight() == 0
                        // A batch that timed out before it was sent is reported completed, not started.
                        && listener.batchesCompleted.sum() >= listener.batchesStarted.sum());

        assertThat(violations.count()).as(violations.toString()).isZero();
        assertThat(workload.completed.sum()).as("callers completed exactly once").isEqualTo(submitted);
        assertThat(listener.callsCompleted.sum()).as("calls reported completed").isEqualTo(submitted);
        assertThat(batcher.queuedCalls()).as("queued calls").isZero();
        assertThat(batcher.queuedRows()).as("queued rows").isZero();
        assertThat(batcher.batchesInFlight()).as("batches in flight").isZero();
        assertThat(listener.batchesStarted.sum()).as("batches reported started = operation calls")
                .isEqualTo(workload.batches.sum());
        assertThat(listener.outcomes(BatchCallOutcome.SUCCESS))
                .as("successes reported = callers with their slice or an empty call")
                .isEqualTo(workload.succeeded.sum() + workload.emptyCalls.sum());
    }

    private static void report(String scenario, BatchWorkload workload, CountingBatchListener listener,
            long faultyCallers, long startedNanos) {
        StringBuilder faults = new StringBuilder();
        long injected = 0;
        for (BatchWorkload.Fault fault : BatchWorkload.Fault.values()) {
            if (fault != BatchWorkload.Fault.NONE && fault != BatchWorkload.Fault.LATER) {
                injected += workload.faultCount(fault);
                faults.append(' ').append(fault).append('=').append(workload.faultCount(fault));
            }
        }
        System.out.printf("RELIABILITY batch %s: callers=%d (under faults %d, afterwards %d) completed=%d "
                        + "ownSlice=%d batchFailure=%d timedOut=%d cancelled=%d invalid=%d empty=%d | batches=%d "
                        + "rows=%d flushes size=%d time=%d | faultyBatches=%d (%s ) laterBatches=%d | "
                        + "queuedCalls=0 queuedRows=0 batchesInFlight=0 violations=%d | %d ms%n",
                scenario, workload.submitted.sum(), faultyCallers, workload.submitted.sum() - faultyCallers,
                workload.completed.sum(), workload.succeeded.sum(), workload.failedCallers.sum(),
                workload.timedOut.sum(), workload.cancelled.sum(), workload.invalidCalls.sum(),
                workload.emptyCalls.sum(), workload.batches.sum(), workload.rowsSent.sum(),
                listener.flushes(FlushReason.SIZE), listener.flushes(FlushReason.TIME), injected, faults,
                workload.faultCount(BatchWorkload.Fault.LATER), 0, (System.nanoTime() - startedNanos) / 1_000_000);
    }
}
