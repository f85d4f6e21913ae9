package dev.dike.reliability;

import dev.dike.batch.BatchOperation;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * A batch operation that misbehaves at random, and the callers that check what they get back.
 *
 * <p>Each row carries its caller's id and its index inside the call ({@code id * 4 + row}) and, in a
 * second column, its batch key; the result of a row is {@link #resultOf(long)} of the first column.
 * So a caller can tell its own slice from anybody else's, and the operation can tell a batch that
 * mixes keys, splits a caller, or sends a caller twice. The fault of every batch is recorded, so each
 * caller's outcome is checked against the fault of the batch its rows went into.
 */
final class BatchWorkload implements BatchOperation<Long, Long> {

    /** What a batch does. */
    enum Fault {
        NONE, LATER, THROW, FAILED_FUTURE, WRONG_SIZE, NULL_RESULT, NULL_STAGE, SLOW_ASYNC, SLOW_BLOCKING
    }

    private static final int MAX_ROWS_PER_CALL = 3;

    private final int maxCallers;
    private final boolean slowFaults;
    private final int maxRowsPerBatch;
    private final Violations violations;
    private final Executor later;
    private final AtomicLong callerIds = new AtomicLong();
    private final AtomicInteger batchIds = new AtomicInteger();
    /** Per caller: 1 + the batch its rows were sent in, or 0. */
    private final AtomicIntegerArray batchOfCaller;
    private final AtomicReferenceArray<Fault> faultOfBatch;
    private final AtomicReferenceArray<CompletableFuture<List<Long>>> callers;
    private final ConcurrentLinkedQueue<CompletableFuture<List<Long>>> neverCompleted = new ConcurrentLinkedQueue<>();
    private volatile boolean faulty = true;

    final LongAdder submitted = new LongAdder();
    final LongAdder completed = new LongAdder();
    final LongAdder succeeded = new LongAdder();
    final LongAdder emptyCalls = new LongAdder();
    final LongAdder invalidCalls = new LongAdder();
    final LongAdder cancelled = new LongAdder();
    final LongAdder timedOut = new LongAdder();
    final LongAdder failedCallers = new LongAdder();
    final LongAdder batches = new LongAdder();
    final LongAdder rowsSent = new LongAdder();
    final LongAdder[] faults = new LongAdder[Fault.values().length];

    BatchWorkload(int maxCallers, int targetBatchSize, boolean slowFaults, Violations violations, Executor later) {
        this.maxCallers = maxCallers;
        this.slowFaults = slowFaults;
        this.maxRowsPerBatch = targetBatchSize - 1 + MAX_ROWS_PER_CALL;
        this.violations = violations;
        this.later = later;
        this.batchOfCaller = new AtomicIntegerArray(maxCallers + 1);
        this.faultOfBatch = new AtomicReferenceArray<>(maxCallers + 1);
        this.callers = new AtomicReferenceArray<>(maxCallers + 1);
        for (int i = 0; i < faults.length; i++) {
            faults[i] = new LongAdder();
        }
    }

    static long resultOf(long row) {
        return row * 7 + 3;
    }

    /** From now on every batch succeeds. */
    void stopFaults() {
        faulty = false;
    }

    /** Completes what slow operations left open (too late: their callers already timed out). */
    void completeAbandoned() {
        for (CompletableFuture<List<Long>> future; (future = neverCompleted.poll()) != null; ) {
            future.complete(List.of());
        }
    }

    long faultCount(Fault fault) {
        return faults[fault.ordinal()].sum();
    }

    @Override
    public CompletionStage<? extends List<? extends Long>> execute(Object key, List<List<Long>> columns) {
        int batch = batchIds.incrementAndGet();
        Fault fault = faulty ? pickFault(slowFaults) : Fault.NONE;
        faultOfBatch.set(batch, fault);
        faults[fault.ordinal()].increment();
        batches.increment();
        List<Long> rows = columns.get(0);
        List<Long> keys = columns.get(1);
        rowsSent.add(rows.size());
        List<Long> ids = checkBatch(batch, key, rows, keys);

        List<Long> results = new ArrayList<>(rows.size());
        for (Long row : rows) {
            results.add(resultOf(row));
        }
        switch (fault) {
            case LATER:
                return CompletableFuture.supplyAsync(() -> results, later);
            case THROW, FAILED_FUTURE, WRONG_SIZE, NULL_RESULT, NULL_STAGE:
                return misbehave(fault, batch, results);
            case SLOW_ASYNC:
                CompletableFuture<List<Long>> never = new CompletableFuture<>();
                neverCompleted.add(never);
                return never;
            case SLOW_BLOCKING:
                // Runs past maxProcessingTime whatever the timer's precision: returns only once the
                // batcher has answered every caller (with the timeout), then returns a valid result.
                awaitCallersDone(ids);
                return CompletableFuture.completedFuture(results);
            default:
                return CompletableFuture.completedFuture(results);
        }
    }

    /**
     * The answer of a batch whose fault is a failure or a broken result.
     *
     * @throws InjectedFault for {@link Fault#THROW}
     */
    static CompletionStage<List<Long>> misbehave(Fault fault, int batch, List<Long> results) {
        switch (fault) {
            case THROW:
                throw new InjectedFault(batch);
            case FAILED_FUTURE:
                return CompletableFuture.failedFuture(new InjectedFault(batch));
            case WRONG_SIZE:
                if (results.size() > 1 && ThreadLocalRandom.current().nextBoolean()) {
                    results.remove(results.size() - 1);
                } else {
                    results.add(-1L);
                }
                return CompletableFuture.completedFuture(results);
            case NULL_RESULT:
                return CompletableFuture.completedFuture(null);
            case NULL_STAGE:
                return null;
            default:
                throw new IllegalArgumentException("not a failure: " + fault);
        }
    }

    /** @return a batch's fault: mostly none, about a third of them a failure or a late answer, rarely slow */
    static Fault pickFault(boolean slowFaults) {
        int dice = ThreadLocalRandom.current().nextInt(1000);
        if (dice < 2 && slowFaults) {
            return Fault.SLOW_ASYNC;
        } else if (dice < 3 && slowFaults) {
            return Fault.SLOW_BLOCKING;
        } else if (dice < 80) {
            return Fault.THROW;
        } else if (dice < 160) {
            return Fault.FAILED_FUTURE;
        } else if (dice < 240) {
            return Fault.WRONG_SIZE;
        } else if (dice < 280) {
            return Fault.NULL_RESULT;
        } else if (dice < 320) {
            return Fault.NULL_STAGE;
        } else if (dice < 420) {
            return Fault.LATER;
        }
        return Fault.NONE;
    }

    /** The second column of a row: its key, or -1 for unkeyed calls. */
    private static Long tagOf(Object key) {
        return key == null ? -1L : (Long) key;
    }

    /** Checks one batch's rows; returns the ids of its callers in order. */
    private List<Long> checkBatch(int batch, Object key, List<Long> rows, List<Long> keys) {
        if (rows.size() != keys.size()) {
            violations.record("batch " + batch + " has columns of sizes " + rows.size() + " and " + keys.size());
        }
        if (rows.isEmpty() || rows.size() > maxRowsPerBatch) {
            violations.record("batch " + batch + " has " + rows.size() + " rows, at most " + maxRowsPerBatch + " allowed");
        }
        Long tag = tagOf(key);
        for (Long rowKey : keys) {
            if (!rowKey.equals(tag)) {
                violations.record("batch " + batch + " of key " + key + " mixes in a row of key " + rowKey);
                break;
            }
        }
        List<Long> ids = new ArrayList<>();
        long expectedRow = 0;
        for (Long row : rows) {
            long id = row / 4;
            long index = row % 4;
            boolean continues = !ids.isEmpty() && ids.get(ids.size() - 1) == id;
            if (continues ? index != expectedRow : index != 0) {
                violations.record("batch " + batch + " splits or reorders the rows of caller " + id);
            }
            if (!continues) {
                ids.add(id);
                if (id <= 0 || id > maxCallers || !batchOfCaller.compareAndSet((int) id, 0, batch)) {
                    violations.record("caller " + id + " sent again in batch " + batch + " (first in "
                            + batchOfCaller.get((int) Math.min(Math.max(id, 0), maxCallers)) + ")");
                }
            }
            expectedRow = index + 1;
        }
        return ids;
    }

    private void awaitCallersDone(List<Long> ids) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        for (Long id : ids) {
            while (System.nanoTime() < deadline) {
                CompletableFuture<List<Long>> caller = callers.get(id.intValue());
                if (caller != null && caller.isDone()) {
                    break;
                }
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * Submits {@code count} callers; each picks a key, 0 to 3 rows, sometimes invalid columns, and
     * may cancel itself or an earlier caller of this thread.
     */
    void runCallers(int count, long seed, Function<Long, Object> keyOf, Submitter submitter) {
        SplittableRandom random = new SplittableRandom(seed);
        RecentCallers recent = new RecentCallers();
        for (int i = 0; i < count; i++) {
            long id = callerIds.incrementAndGet();
            if (id > maxCallers) {
                violations.record("more callers than planned: " + id);
                return;
            }
            Object key = keyOf.apply(id);
            int dice = random.nextInt(200);
            int rows = dice == 0 ? 0 : 1 + random.nextInt(MAX_ROWS_PER_CALL);
            boolean invalid = dice == 1;
            List<Long> column = new ArrayList<>(rows);
            List<Long> keys = new ArrayList<>(rows);
            for (int row = 0; row < rows; row++) {
                column.add(id * 4 + row);
                keys.add(tagOf(key));
            }
            if (invalid) {
                keys.add(tagOf(key));
            }
            Caller caller = new Caller(id, rows, invalid);
            submitted.increment();
            CompletableFuture<List<Long>> future = submitter.submit(key, List.of(column, keys));
            callers.set((int) id, future);
            future.whenComplete(caller::verify);
            recent.submitted(future, random);
        }
    }

    /** Calls the batcher. */
    interface Submitter {
        CompletableFuture<List<Long>> submit(Object key, List<List<Long>> columns);
    }

    /** One caller and the outcome it may have. */
    private final class Caller {
        final long id;
        final int rows;
        final boolean invalid;
        final AtomicBoolean done = new AtomicBoolean();

        Caller(long id, int rows, boolean invalid) {
            this.id = id;
            this.rows = rows;
            this.invalid = invalid;
        }

        void verify(List<Long> value, Throwable error) {
            if (!done.compareAndSet(false, true)) {
                violations.record("caller " + id + " completed twice");
                return;
            }
            completed.increment();
            int batch = batchOfCaller.get((int) id);
            Fault fault = batch == 0 ? null : faultOfBatch.get(batch);
            if (error instanceof CancellationException) {
                cancelled.increment();
                return;
            }
            if (invalid) {
                if (!(error instanceof IllegalArgumentException) || batch != 0) {
                    violations.record("invalid caller " + id + " got " + describe(value, error) + " from batch " + batch);
                }
                invalidCalls.increment();
                return;
            }
            if (rows == 0) {
                if (error != null || value == null || !value.isEmpty() || batch != 0) {
                    violations.record("empty caller " + id + " got " + describe(value, error) + " from batch " + batch);
                }
                emptyCalls.increment();
                return;
            }
            if (fault == null) {
                violations.record("caller " + id + " got " + describe(value, error) + " though its rows were never sent");
                return;
            }
            switch (fault) {
                case NONE, LATER -> expectOwnSlice(value, error, fault, batch);
                case THROW, FAILED_FUTURE -> expectFailure(value, error, fault, batch,
                        error instanceof InjectedFault injected && injected.callId() == batch);
                case WRONG_SIZE -> expectFailure(value, error, fault, batch,
                        error instanceof IllegalStateException && error.getMessage().contains("results for "));
                case NULL_RESULT, NULL_STAGE -> expectFailure(value, error, fault, batch,
                        error instanceof IllegalStateException && error.getMessage().contains("null"));
                case SLOW_ASYNC, SLOW_BLOCKING -> {
                    expectFailure(value, error, fault, batch, error instanceof TimeoutException);
                    if (error instanceof TimeoutException) {
                        timedOut.increment();
                    }
                }
                default -> violations.record("unknown fault " + fault);
            }
        }

        private void expectOwnSlice(List<Long> value, Throwable error, Fault fault, int batch) {
            boolean own = error == null && value != null && value.size() == rows;
            for (int row = 0; own && row < rows; row++) {
                own = value.get(row) == resultOf(id * 4 + row);
            }
            if (own) {
                succeeded.increment();
            } else {
                violations.record("caller " + id + " of batch " + batch + " (" + fault + ") got "
                        + describe(value, error));
            }
        }

        private void expectFailure(List<Long> value, Throwable error, Fault fault, int batch, boolean expected) {
            if (expected) {
                failedCallers.increment();
            } else {
                violations.record("caller " + id + " of batch " + batch + " (" + fault + ") got "
                        + describe(value, error));
            }
        }

        private String describe(List<Long> value, Throwable error) {
            return error != null ? error.toString() : "value " + value;
        }
    }
}
