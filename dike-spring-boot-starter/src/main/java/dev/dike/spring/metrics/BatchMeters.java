package dev.dike.spring.metrics;

import dev.dike.batch.BatchCallOutcome;
import dev.dike.batch.BatchListener;
import dev.dike.batch.Batcher;
import dev.dike.batch.FlushReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;

import java.util.concurrent.TimeUnit;

/** The meters of one batcher, looked up once so that recording an event costs no registry lookup. */
final class BatchMeters implements BatchListener {

    static final String SIZE = "dike.batch.size";
    static final String WAIT = "dike.batch.wait";
    static final String PROCESSING = "dike.batch.processing";
    static final String FLUSHES = "dike.batch.flushes";
    static final String CALLS = "dike.batch.calls";
    static final String QUEUED = "dike.batch.queued";
    static final String DEDUPLICATED = "dike.batch.deduplicated";

    private final DistributionSummary size;
    private final Timer wait;
    private final Timer processing;
    private final Counter[] flushes;
    private final Counter[] calls;
    private final Counter deduplicated;

    BatchMeters(MeterFactory meters, String name) {
        this.size = meters.summary(SIZE, name, "Rows per batch sent to the operation", BaseUnits.ROWS);
        this.wait = meters.timer(WAIT, name, "Time from a batch's first call until the batch was formed");
        this.processing = meters.timer(PROCESSING, name,
                "Time from calling the operation until the batch ended, successfully or not");
        FlushReason[] reasons = FlushReason.values();
        this.flushes = new Counter[reasons.length];
        for (FlushReason reason : reasons) {
            flushes[reason.ordinal()] = meters.counter(FLUSHES, name, "Batches flushed, by why", "flushes",
                    "reason", reason.tagValue());
        }
        this.deduplicated = meters.counter(DEDUPLICATED, name,
                "Rows not sent because an equal row of the same batch was sent (single-item mode)", BaseUnits.ROWS);
        BatchCallOutcome[] outcomes = BatchCallOutcome.values();
        this.calls = new Counter[outcomes.length];
        for (BatchCallOutcome outcome : outcomes) {
            calls[outcome.ordinal()] = meters.counter(CALLS, name, "Callers of the batcher, by how they ended",
                    "calls", "outcome", outcome.tagValue());
        }
    }

    /** Registers the gauge that reads the batcher's queue. */
    static void bindGauges(MeterFactory meters, Batcher<?, ?> batcher) {
        meters.gauge(QUEUED, batcher.name(), "Rows waiting for their batch to start", BaseUnits.ROWS, batcher,
                Batcher::queuedRows);
    }

    @Override
    public void onBatchStarted(String name, FlushReason reason, int rows, int calls, long waitNanos) {
        flushes[reason.ordinal()].increment();
        size.record(rows);
        wait.record(waitNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void onRowsDeduplicated(String name, int rows) {
        deduplicated.increment(rows);
    }

    @Override
    public void onBatchCompleted(String name, int rows, long processingNanos, Throwable failure) {
        processing.record(processingNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void onCallCompleted(String name, BatchCallOutcome outcome) {
        calls[outcome.ordinal()].increment();
    }
}
