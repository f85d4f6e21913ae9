package dev.dike.batch;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shields a {@link Batcher} from its listener: an exception the listener throws is logged and
 * ignored, so it can never stop callers from being completed or a slot from being freed.
 */
final class SafeBatchListener implements BatchListener {

    private static final Logger LOG = LoggerFactory.getLogger(Batcher.class);

    private final BatchListener delegate;

    SafeBatchListener(BatchListener delegate) {
        this.delegate = delegate;
    }

    @Override
    public void onBatchStarted(String name, FlushReason reason, int rows, int calls, long waitNanos) {
        try {
            delegate.onBatchStarted(name, reason, rows, calls, waitNanos);
        } catch (RuntimeException failure) {
            logFailure(name, "onBatchStarted", failure);
        }
    }

    @Override
    public void onRowsDeduplicated(String name, int rows) {
        try {
            delegate.onRowsDeduplicated(name, rows);
        } catch (RuntimeException failure) {
            logFailure(name, "onRowsDeduplicated", failure);
        }
    }

    @Override
    public void onBatchCompleted(String name, int rows, long processingNanos, Throwable failure) {
        try {
            delegate.onBatchCompleted(name, rows, processingNanos, failure);
        } catch (RuntimeException listenerFailure) {
            logFailure(name, "onBatchCompleted", listenerFailure);
        }
    }

    @Override
    public void onCallCompleted(String name, BatchCallOutcome outcome) {
        try {
            delegate.onCallCompleted(name, outcome);
        } catch (RuntimeException failure) {
            logFailure(name, "onCallCompleted", failure);
        }
    }

    private static void logFailure(String name, String event, RuntimeException failure) {
        LOG.warn("Batch listener of {} threw from {}; ignored", name, event, failure);
    }
}
