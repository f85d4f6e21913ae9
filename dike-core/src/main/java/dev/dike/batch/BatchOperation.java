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
}
