package dev.dike.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dike.batch.BatchCallOutcome;
import dev.dike.batch.BatchConfig;
import dev.dike.batch.Batcher;

import java.time.Duration;
import java.util.concurrent.ExecutorService;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Single-item batching ({@link Batcher#submitDistinct}) under load: many threads of callers ask for a
 * few hot items of a few tenants, against a bulk lookup that throws, fails, returns the wrong number
 * of values or null, answers late or never (so batches time out), while callers cancel. Every caller
 * completes exactly once, with its own item's value or a failure of a batch that held its item; no
 * batch sends an item twice, mixes tenants or exceeds the target; the rows the listener reports
 * started (and de-duplicated) are exactly the rows the lookup received; and once the callers stop,
 * nothing is left queued or running.
 *
 * <p>The zero-wait scenario ({@code maxWaitingTime = 0}, batches formed as soon as a slot is free)
 * also counts the lookups running at once: never more than {@code maxConcurrentBatches}; its batches
 * must have filled while the slots were busy, and no call may be stranded in a queue when the load
 * stops, since no flush timer would ever come for it.
 */
@Tag("stress")
class DistinctBatchStressTest {

    private static final int THREADS = 16;
    private static final int TARGET = 8;
    /** Far above a batch's real processing time (microseconds), even on an overloaded machine. */
    private static final Duration MAX_PROCESSING_TIME = Duration.ofSeconds(5);

    private final ExecutorService later = StressThreads.pool("distinct-later", 2);
    private final Violations violations = new Violations();

    @AfterEach
    void shutDown() {
        later.shutdownNow();
    }

    @Test
    void hotKeysEveryCallerGetsItsOwnItemsValueOrItsBatchsFailure() throws Exception {
        BatchConfig config = BatchConfig.builder().targetBatchSize(TARGET).maxWaitingTime(Duration.ofMillis(2))
                .maxProcessingTime(MAX_PROCESSING_TIME).build();
        DistinctBatchWorkload workload = new DistinctBatchWorkload(TARGET, true, null, violations, later);
        run("hot-keys", config, workload, 60_000, 30_000L);
        assertThat(workload.timedOut.sum()).as("callers of batches that never answered").isPositive();
    }

    @Test
    void zeroWaitKeepsToTheCapAndStrandsNothing() throws Exception {
        int slots = 2;
        BatchConfig config = BatchConfig.builder().targetBatchSize(TARGET).maxWaitingTime(Duration.ZERO)
                .maxConcurrentBatches(slots).maxProcessingTime(MAX_PROCESSING_TIME).build();
        ConcurrencyGauge gauge = new ConcurrencyGauge(ConcurrencyGauge.fixed(slots), violations);
        DistinctBatchWorkload workload = new DistinctBatchWorkload(TARGET, false, gauge, violations, later);
        run("zero-wait", config, workload, 40_000, 40_000L);
        assertThat(gauge.maxRunning()).as("lookups running at once").isLessThanOrEqualTo(slots);
        assertThat(workload.maxRowsPerBatch.get()).as("batches filled while both slots were busy")
                .isGreaterThan(1);
    }

    private void run(String scenario, BatchConfig config, DistinctBatchWorkload workload, int callers, long seed)
            throws Exception {
        int afterwards = 8_000;
        long started = System.nanoTime();
        try (Batcher<Long, Long> batcher = Batcher.builder("distinct-" + scenario, workload).config(config)
                .listener(workload).build()) {
            StressThreads.runAll("distinct-caller", THREADS,
                    t -> workload.runCallers(callers / THREADS, seed + t, batcher));
            assertAllAnsweredAndIdle(batcher, workload);
            long underFaults = workload.submitted.sum();

            // The same batcher, after all that, still serves every caller its own item's value.
            workload.stopFaults();
            long succeededBefore = workload.succeeded.sum();
            StressThreads.runAll("distinct-caller", 4,
                    t -> workload.runCallers(afterwards / 4, seed + 100 + t, batcher));
            assertAllAnsweredAndIdle(batcher, workload);
            assertThat(workload.succeeded.sum() - succeededBefore).as("callers served after the faults")
                    .isGreaterThan(afterwards / 2);
            assertThat(workload.rowsDeduplicated.sum()).as("rows saved by de-duplication").isPositive();

            System.out.printf("RELIABILITY distinct batch %s: callers=%d (under faults %d) completed=%d ownValue=%d "
                            + "batchFailure=%d timedOut=%d cancelled=%d | batches=%d rowsSent=%d deduplicated=%d "
                            + "maxRows=%d | violations=%d | %d ms%n",
                    scenario, workload.submitted.sum(), underFaults, workload.completed.sum(),
                    workload.succeeded.sum(), workload.failedCallers.sum(), workload.timedOut.sum(),
                    workload.cancelled.sum(), workload.batches.sum(), workload.rowsSent.sum(),
                    workload.rowsDeduplicated.sum(), workload.maxRowsPerBatch.get(), violations.count(),
                    (System.nanoTime() - started) / 1_000_000);
        } finally {
            workload.completeAbandoned();
        }
    }

    private void assertAllAnsweredAndIdle(Batcher<Long, Long> batcher, DistinctBatchWorkload workload) {
        long submitted = workload.submitted.sum();
        CountingBatchListener counts = workload.counts();
        // Timed-out batches answer after maxProcessingTime; everything else within milliseconds. A call
        // stranded in a queue never answers, and the wait ends in a failure naming what is left.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
                .until(() -> workload.completed.sum() == submitted && counts.callsCompleted.sum() == submitted
                        && batcher.queuedCalls() == 0 && batcher.batchesInFlight() == 0
                        && counts.batchesCompleted.sum() >= counts.batchesStarted.sum());

        assertThat(violations.count()).as(violations.toString()).isZero();
        assertThat(workload.completed.sum()).as("callers completed exactly once").isEqualTo(submitted);
        assertThat(counts.callsCompleted.sum()).as("calls reported completed").isEqualTo(submitted);
        assertThat(batcher.queuedCalls()).as("queued calls").isZero();
        assertThat(batcher.queuedRows()).as("queued rows").isZero();
        assertThat(batcher.batchesInFlight()).as("batches in flight").isZero();
        assertThat(counts.batchesStarted.sum()).as("batches reported started = lookups")
                .isEqualTo(workload.batches.sum());
        assertThat(workload.rowsReported.sum()).as("rows reported started = distinct items sent")
                .isEqualTo(workload.rowsSent.sum());
        assertThat(counts.outcomes(BatchCallOutcome.SUCCESS)).as("successes reported = callers with their value")
                .isEqualTo(workload.succeeded.sum());
    }
}
