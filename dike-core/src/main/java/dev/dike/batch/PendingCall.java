package dev.dike.batch;

import dev.dike.context.ContextCarrier;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
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
    private final int rows;
    /**
     * For a call with distinct rows, the identity of each row ({@link Row}), which stays after the
     * columns are dropped; else {@code null}.
     */
    private final List<Row> rowKeys;
    private final long arrivalNanos;
    /** The caller's context, captured on its thread at submit; {@code null} without a carrier. */
    private final ContextCarrier.Captured context;
    private final CompletableFuture<List<R>> future = new CompletableFuture<>();
    /** Set (under its queue's lock) when the call is taken into a batch; a cancel no longer removes it. */
    private volatile boolean taken;
    /** Written before the future is completed, so the completion hook can report it. */
    private volatile BatchCallOutcome outcome;

    private PendingCall(List<List<T>> columns, int rows, long arrivalNanos, List<Row> rowKeys,
            ContextCarrier.Captured context) {
        this.columns = columns;
        this.rows = rows;
        this.rowKeys = rowKeys;
        this.arrivalNanos = arrivalNanos;
        this.context = context;
    }

    /**
     * Checks and copies a caller's columns, so that later changes to the caller's lists do not leak
     * into the batch.
     *
     * @param distinct whether a row equal to another row of the batch is sent once and shares its result
     * @throws IllegalArgumentException naming the batcher and what is wrong with the call
     */
    static <T, R> PendingCall<T, R> create(String batcher, List<? extends List<? extends T>> columns,
            long arrivalNanos, boolean distinct, ContextCarrier carrier) {
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
        return new PendingCall<>(copies, sizes[0], arrivalNanos, distinct ? rowKeys(batcher, copies, sizes[0]) : null,
                carrier == null ? null : carrier.capture());
    }

    /** @throws IllegalArgumentException if a value's {@code hashCode} throws */
    private static <T> List<Row> rowKeys(String batcher, List<List<T>> columns, int rows) {
        List<Row> keys = new ArrayList<>(rows);
        for (int row = 0; row < rows; row++) {
            Object value;
            if (columns.size() == 1) {
                value = columns.get(0).get(row); // the row is its one value
            } else {
                Object[] values = new Object[columns.size()];
                for (int column = 0; column < values.length; column++) {
                    values[column] = columns.get(column).get(row);
                }
                value = Arrays.asList(values);
            }
            try {
                keys.add(new Row(value));
            } catch (RuntimeException broken) {
                throw new IllegalArgumentException("Batcher " + batcher + ": row " + row + " of the call cannot be "
                        + "compared with other rows: its hashCode() threw " + broken, broken);
            }
        }
        return keys;
    }

    /**
     * The identity of a row of a call with distinct rows: the row's value (its one value, or the list of
     * its values) with its hash computed once, when the call is submitted, outside every lock. So the
     * maps of {@link KeyQueue} (under its lock) and {@link RunningBatch} never call a user's
     * {@code hashCode}, and a call always finds its own rows again by identity, even if the caller
     * changed a value while it was queued. An {@code equals} that throws counts as "not equal": the row
     * is then sent once more, but no exception of user code escapes a queue's critical section.
     */
    static final class Row {

        private final Object value;
        private final int hash;

        Row(Object value) {
            this.value = value;
            this.hash = Objects.hashCode(value);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object other) {
            if (this == other) {
                return true;
            }
            if (!(other instanceof Row) || ((Row) other).hash != hash) {
                return false;
            }
            try {
                return Objects.equals(value, ((Row) other).value);
            } catch (RuntimeException broken) {
                return false;
            }
        }
    }

    int rows() {
        return rows;
    }

    /**
     * @return the number of columns; only while the columns are held (admission), not after
     *         {@link #dropColumns()}. Not a field, so that this object, allocated per call, keeps its
     *         size with a {@link #context} field
     */
    int columnCount() {
        return columns.size();
    }

    /** @return whether equal rows of this call's batch are sent once */
    boolean distinct() {
        return rowKeys != null;
    }

    /** @return the identity of a row of a call with distinct rows; see {@link #distinct()} */
    Row rowKey(int row) {
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

    /** @return the caller's context captured at submit, or {@code null} */
    ContextCarrier.Captured context() {
        return context;
    }

    /**
     * Completes the caller with its slice; a caller that cancelled meanwhile simply keeps its
     * cancellation. The caller's dependent stages run here, in its context if one was captured.
     */
    void succeed(List<R> slice) {
        outcome = BatchCallOutcome.SUCCESS;
        if (context == null) {
            future.complete(slice);
            return;
        }
        try (ContextCarrier.Scope scope = context.open()) {
            future.complete(slice);
        }
    }

    void fail(Throwable failure, BatchCallOutcome failureOutcome) {
        outcome = failureOutcome;
        if (context == null) {
            future.completeExceptionally(failure);
            return;
        }
        try (ContextCarrier.Scope scope = context.open()) {
            future.completeExceptionally(failure);
        }
    }

    /** The caller completed, whoever completed it: tells its captured context, if any. Called once. */
    void ended(Throwable failure) {
        if (context != null) {
            context.done(failure);
        }
    }

    /** @return how the caller ended; only meaningful once its future is done */
    BatchCallOutcome outcome() {
        BatchCallOutcome recorded = outcome;
        // A future completed by anybody but the batcher (cancel, or the caller's own complete) was withdrawn.
        return future.isCancelled() || recorded == null ? BatchCallOutcome.CANCELLED : recorded;
    }
}
