package dev.dike.reliability;

import dev.dike.batch.BatchCallOutcome;
import dev.dike.batch.BatchListener;
import dev.dike.batch.FlushReason;

import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;

/** Counts what a batcher reports, to compare with what the callers and the operation saw. */
final class CountingBatchListener implements BatchListener {

    final LongAdder batchesStarted = new LongAdder();
    final LongAdder batchesCompleted = new LongAdder();
    final LongAdder callsCompleted = new LongAdder();
    private final LongAdder[] flushes = counters(FlushReason.values().length);
    private final LongAdder[] outcomes = counters(BatchCallOutcome.values().length);

    @Override
    public void onBatchStarted(String name, FlushReason reason, int rows, int calls, long waitNanos) {
        batchesStarted.increment();
        flushes[reason.ordinal()].increment();
    }

    @Override
    public void onBatchCompleted(String name, int rows, long processingNanos, Throwable failure) {
        batchesCompleted.increment();
    }

    @Override
    public void onCallCompleted(String name, BatchCallOutcome outcome) {
        callsCompleted.increment();
        outcomes[outcome.ordinal()].increment();
    }

    long flushes(FlushReason reason) {
        return flushes[reason.ordinal()].sum();
    }

    long outcomes(BatchCallOutcome outcome) {
        return outcomes[outcome.ordinal()].sum();
    }

    private static LongAdder[] counters(int size) {
        LongAdder[] counters = new LongAdder[size];
        Arrays.setAll(counters, index -> new LongAdder());
        return counters;
    }
}
