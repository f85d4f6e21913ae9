package dev.dike.batch;

/**
 * Receives the events of a {@link Batcher}, e.g. to publish metrics. Methods must return quickly
 * without throwing; an exception they throw is logged and otherwise ignored.
 */
public interface BatchListener {

    /** A listener that does nothing. */
    BatchListener NONE = new BatchListener() {
    };

    /**
     * A batch was formed and its operation is about to be called: the batch is committed to being
     * sent. A batch that ends before that (its processing timeout passes while it waits for a thread,
     * or the executor refuses it) is not reported here, only by {@link #onBatchCompleted}.
     *
     * @param name      the batcher's name
     * @param reason    why it was flushed
     * @param rows      the number of rows sent to the operation
     * @param calls     the number of callers in the batch
     * @param waitNanos time from the arrival of its first call until now
     */
    default void onBatchStarted(String name, FlushReason reason, int rows, int calls, long waitNanos) {
    }

    /**
     * A batch of calls with distinct rows was formed in which some rows were equal: they are sent once.
     * Called just before {@link #onBatchStarted}, only when {@code rows} is greater than 0, and like
     * it only for a batch that is sent.
     *
     * @param name the batcher's name
     * @param rows the number of rows not sent because an equal row of the batch is sent
     */
    default void onRowsDeduplicated(String name, int rows) {
    }

    /**
     * A batch ended; reported for every formed batch, whether it was sent or not.
     *
     * @param name            the batcher's name
     * @param rows            the number of rows of the batch (sent to the operation, unless it ended
     *                        before it was sent)
     * @param processingNanos time from the operation's call until the batch ended
     * @param failure         why the batch failed, or {@code null} on success
     */
    default void onBatchCompleted(String name, int rows, long processingNanos, Throwable failure) {
    }

    /**
     * One caller completed.
     *
     * @param name    the batcher's name
     * @param outcome how it ended
     */
    default void onCallCompleted(String name, BatchCallOutcome outcome) {
    }
}
