package dev.dike.batch;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The operation a {@link Batcher} calls once per batch.
 *
 * @param <T> the element type of the batched columns
 * @param <R> the element type of the result
 */
@FunctionalInterface
public interface BatchOperation<T, R> {

    /**
     * Processes one batch.
     *
     * @param key     the key shared by every call of the batch ({@code null} for unkeyed calls)
     * @param columns the batched arguments: column {@code c} is the concatenation, in arrival order,
     *                of column {@code c} of every call in the batch; all columns have the same size
     * @return the results, element {@code i} belonging to input row {@code i}; a synchronous throw
     *         or a failed stage fails every caller of the batch with that exception
     * @throws Exception any failure, delivered unwrapped to every caller of the batch
     */
    CompletionStage<? extends List<? extends R>> execute(Object key, List<List<T>> columns) throws Exception;

    /**
     * Whether a batch of this key that holds one call only, formed on the thread that submitted that
     * call, may run on that thread: {@link #execute} is then called there, and the call completes on
     * whatever thread completes the returned stage, exactly as a call without batching would. This
     * saves the two thread hand-offs of an executor round trip, which is what an idle batcher with a
     * zero {@code maxWaitingTime} otherwise adds to every call. Batches of several calls, and batches
     * formed on other threads (a flush timer, a batch that ended and freed its slot), always run on the
     * executor.
     *
     * <p>Answer {@code true} only when running {@code execute} on the submitting thread cannot hurt
     * it: for example when the submitter would have run the same code itself without batching, or
     * waits for the result anyway. Called on the submitting thread; it must be fast and must not
     * throw.
     *
     * @param key the batch's key
     * @return {@code true} to allow it; the default, {@code false}, runs every batch on the executor
     */
    default boolean mayRunOnSubmitter(Object key) {
        return false;
    }
}
