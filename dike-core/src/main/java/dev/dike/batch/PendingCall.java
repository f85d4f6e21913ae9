package dev.dike.batch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One caller of a {@link Batcher}: a private copy of its columns, its future, and how it ended.
 *
 * @param <T> the element type of the batched columns
 * @param <R> the element type of the result
 */
final class PendingCall<T, R> {

    /** The caller's copied rows; dropped once concatenated into the batch, so they are not held twice. */
    private List<List<T>> columns;
    private final int columnCount;
    private final int rows;
    /**
     * For a call with distinct rows, the identity of each row (the value itself for one column, the
     * list of its values otherwise), which stays after the columns are dropped; else {@code null}.
     */
    private final List<Object> rowKeys;
    private final long arrivalNanos;
    private final CompletableFuture<List<R>> future = new CompletableFuture<>();
    /** Set (under its queue's lock) when the call is taken into a batch; a cancel no longer removes it. */
    private volatile boolean taken;
    /** Written before the future is completed, so the completion hook can report it. */
    private volatile BatchCallOutcome outcome;

    private PendingCall(List<List<T>> columns, int rows, long arrivalNanos, boolean distinct) {
        this.columns = columns;
        this.columnCount = columns.size();
        this.rows = rows;
        this.rowKeys = distinct ? rowKeys(columns, rows) : null;
        this.arrivalNanos = arrivalNanos;
    }

    /**
     * Checks and copies a caller's columns, so that later changes to the caller's lists do not leak
     * into the batch.
     *
     * @param distinct whether a row equal to another row of the batch is sent once and shares its result
     * @throws IllegalArgumentException naming the batcher and what is wrong with the call
     */
    static <T, R> PendingCall<T, R> create(String batcher, List<? extends List<? extends T>> columns,
            long arrivalNanos, boolean distinct) {
        if (columns == null) {
            throw new IllegalArgumentException("Batcher " + batcher + ": the list of columns is null");
        }
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("Batcher " + batcher + ": a call needs at least one column");
        }
        List<List<T>> copies = new ArrayList<>(columns.size());
        int[] sizes = new int[columns.size()];
        for (List<? extends T> column : columns) {
            if (column == null) {
                throw new IllegalArgumentException(
                        "Batcher " + batcher + ": column " + copies.size() + " of the call is null");
            }
            List<T> copy = new ArrayList<>(column);
            sizes[copies.size()] = copy.size();
            copies.add(copy);
        }
        for (int size : sizes) {
            if (size != sizes[0]) {
                throw new IllegalArgumentException("Batcher " + batcher
                        + ": the columns of a call must have the same size, got sizes " + Arrays.toString(sizes));
            }
        }
        return new PendingCall<>(copies, sizes[0], arrivalNanos, distinct);
    }

    @SuppressWarnings("unchecked")
    private static <T> List<Object> rowKeys(List<List<T>> columns, int rows) {
        if (columns.size() == 1) {
            return (List<Object>) columns.get(0); // a private copy: the row is its one value
        }
        List<Object> keys = new ArrayList<>(rows);
        for (int row = 0; row < rows; row++) {
            Object[] values = new Object[columns.size()];
            for (int column = 0; column < values.length; column++) {
                values[column] = columns.get(column).get(row);
            }
            keys.add(Arrays.asList(values));
        }
        return keys;
    }

    int rows() {
        return rows;
    }

    int columnCount() {
        return columnCount;
    }

    /** @return whether equal rows of this call's batch are sent once */
    boolean distinct() {
        return rowKeys != null;
    }

    /** @return the identity of a row of a call with distinct rows; see {@link #distinct()} */
    Object rowKey(int row) {
        return rowKeys.get(row);
    }

    /** Called only by the batch that took this call, on its executor thread. */
    List<T> column(int index) {
        return columns.get(index);
    }

    /** The batch has concatenated the rows; only the row count is needed from now on. */
    void dropColumns() {
        columns = null;
    }

    long arrivalNanos() {
        return arrivalNanos;
    }

    CompletableFuture<List<R>> future() {
        return future;
    }

    boolean isTaken() {
        return taken;
    }

    void markTaken() {
        taken = true;
    }

    /** Completes the caller with its slice; a caller that cancelled meanwhile simply keeps its cancellation. */
    void succeed(List<R> slice) {
        outcome = BatchCallOutcome.SUCCESS;
        future.complete(slice);
    }

    void fail(Throwable failure, BatchCallOutcome failureOutcome) {
        outcome = failureOutcome;
        future.completeExceptionally(failure);
    }

    /** @return how the caller ended; only meaningful once its future is done */
    BatchCallOutcome outcome() {
        BatchCallOutcome recorded = outcome;
        // A future completed by anybody but the batcher (cancel, or the caller's own complete) was withdrawn.
        return future.isCancelled() || recorded == null ? BatchCallOutcome.CANCELLED : recorded;
    }
}
