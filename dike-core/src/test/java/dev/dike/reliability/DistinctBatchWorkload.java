package dev.dike.reliability;

import dev.dike.batch.BatchCallOutcome;
import dev.dike.batch.BatchListener;
import dev.dike.batch.BatchOperation;
import dev.dike.batch.Batcher;
import dev.dike.batch.FlushReason;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * A bulk lookup of hot keys that misbehaves at random, the single-item callers that check what they
 * get back, and a listener that checks what the batcher reports against what the lookup received.
 *
 * <p>Each caller asks for one item with {@link Batcher#submitDistinct}, under its tenant as batch key.
 * Items are drawn with a heavy skew from a few per tenant, so most batches hold several callers of the
 * same item. An item's value is {@link BatchWorkload#resultOf} of it whatever batch sends it, so a
 * caller can tell its own item's value from any other's; a caller that gets a batch's injected failure
 * checks that this batch held its item.
 *
 * <p>The lookup checks every batch: each item at most once, only items of the batch's tenant, no more
 * items than the target. The listener is told of a batch on the runner thread right before that thread
 * calls the lookup, so the two meet through a thread-local: every batch reported started must reach
 * the lookup with exactly the rows reported (a batch reported but never sent, or sent but not
 * reported, is caught), and the rows reported de-duplicated must be the callers of the batch less its
 * rows.
 */
final class DistinctBatchWorkload implements BatchOperation<Long, Long>, BatchListener {

    private static final int TENANTS = 4;
    private static final int ITEMS_PER_TENANT = 40;

    /** What the listener told the lookup about to run on this thread. */
    private static final class Report {
        long deduplicated;
        /** Rows reported started and not yet received by the lookup, or -1. */
        long rows = -1;
    }

    private final int target;
    private final boolean slowFaults;
    private final ConcurrencyGauge gauge;
    private final Violations violations;
    private final Executor later;
    private final CountingBatchListener counts = new CountingBatchListener();
    private final ThreadLocal<Report> report = ThreadLocal.withInitial(Report::new);
    private final AtomicInteger batchIds = new AtomicInteger();
    private final AtomicInteger callerIds = new AtomicInteger();
    /** The items of each batch that failed with an {@link InjectedFault}, by batch id. */
    private final Map<Integer, Set<Long>> failedBatchItems = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<CompletableFuture<List<Long>>> neverCompleted = new ConcurrentLinkedQueue<>();
    private volatile boolean faulty = true;

    final LongAdder submitted = new LongAdder();
    final LongAdder completed = new LongAdder();
    final LongAdder succeeded = new LongAdder();
    final LongAdder cancelled = new LongAdder();
    final LongAdder timedOut = new LongAdder();
    final LongAdder failedCallers = new LongAdder();
    final LongAdder batches = new LongAdder();
    final LongAdder rowsSent = new LongAdder();
    final LongAdder rowsReported = new LongAdder();
    final LongAdder rowsDeduplicated = new LongAdder();
    final LongAccumulator maxRowsPerBatch = new LongAccumulator(Math::max, 0);

    /**
     * @param target     the batcher's target batch size: no batch of single-item callers exceeds it
     * @param slowFaults whether some batches never answer, so their callers time out
     * @param gauge      counts the lookups running at once against the cap, or {@code null}
     */
    DistinctBatchWorkload(int target, boolean slowFaults, ConcurrencyGauge gauge, Violations violations,
            Executor later) {
        this.target = target;
        this.slowFaults = slowFaults;
        this.gauge = gauge;
        this.violations = violations;
        this.later = later;
    }

    CountingBatchListener counts() {
        return counts;
    }

    /** From now on every batch succeeds. */
    void stopFaults() {
        faulty = false;
    }

    /** Completes what slow lookups left open (too late: their callers already timed out). */
    void completeAbandoned() {
        for (CompletableFuture<List<Long>> future; (future = neverCompleted.poll()) != null; ) {
            future.complete(List.of());
        }
    }

    @Override
    public void onRowsDeduplicated(String name, int rows) {
        report.get().deduplicated = rows;
        rowsDeduplicated.add(rows);
        counts.onRowsDeduplicated(name, rows);
    }

    @Override
    public void onBatchStarted(String name, FlushReason reason, int rows, int calls, long waitNanos) {
        Report pending = report.get();
        if (pending.rows >= 0) {
            violations.record("a batch of " + pending.rows + " rows was reported started but never sent");
        }
        if (pending.deduplicated != calls - rows) {
            violations.record("a batch of " + calls + " single-item callers and " + rows + " rows reported "
                    + pending.deduplicated + " rows de-duplicated");
        }
        pending.deduplicated = 0;
        pending.rows = rows;
        rowsReported.add(rows);
        counts.onBatchStarted(name, reason, rows, calls, waitNanos);
    }

    @Override
    public void onBatchCompleted(String name, int rows, long processingNanos, Throwable failure) {
        counts.onBatchCompleted(name, rows, processingNanos, failure);
    }

    @Override
    public void onCallCompleted(String name, BatchCallOutcome outcome) {
        counts.onCallCompleted(name, outcome);
    }

    @Override
    public CompletionStage<? extends List<? extends Long>> execute(Object key, List<List<Long>> columns) {
        ConcurrencyGauge.Run run = gauge == null ? null : gauge.enter();
        int batch = batchIds.incrementAndGet();
        List<Long> items = columns.get(0);
        checkBatch(batch, (Long) key, items);
        BatchWorkload.Fault fault = faulty ? BatchWorkload.pickFault(slowFaults) : BatchWorkload.Fault.NONE;
        if (fault == BatchWorkload.Fault.THROW || fault == BatchWorkload.Fault.FAILED_FUTURE) {
            failedBatchItems.put(batch, new HashSet<>(items));
        }
        List<Long> results = new ArrayList<>(items.size());
        for (Long item : items) {
            results.add(BatchWorkload.resultOf(item));
        }
        switch (fault) {
            case LATER:
                return CompletableFuture.supplyAsync(() -> {
                    leave(run);
                    return results;
                }, later);
            case THROW, FAILED_FUTURE, WRONG_SIZE, NULL_RESULT, NULL_STAGE:
                leave(run);
                return BatchWorkload.misbehave(fault, batch, results);
            case SLOW_ASYNC, SLOW_BLOCKING:
                leave(run); // only without a gauge: a timed-out batch's slot is free while it runs on
                CompletableFuture<List<Long>> never = new CompletableFuture<>();
                neverCompleted.add(never);
                return never;
            default:
                leave(run);
                return CompletableFuture.completedFuture(results);
        }
    }

    private static void leave(ConcurrencyGauge.Run run) {
        if (run != null) {
            run.leave();
        }
    }

    private void checkBatch(int batch, long tenant, List<Long> items) {
        Report pending = report.get();
        if (pending.rows < 0) {
            violations.record("batch " + batch + " was sent without being reported started");
        } else if (pending.rows != items.size()) {
            violations.record("batch " + batch + " was reported with " + pending.rows + " rows but sent "
                    + items.size());
        }
        pending.rows = -1;
        batches.increment();
        rowsSent.add(items.size());
        maxRowsPerBatch.accumulate(items.size());
        if (items.isEmpty() || items.size() > target) {
            violations.record("batch " + batch + " has " + items.size() + " rows, target " + target);
        }
        if (new HashSet<>(items).size() != items.size()) {
            violations.record("batch " + batch + " sends an item twice: " + items);
        }
        for (Long item : items) {
            if (item / 100 != tenant) {
                violations.record("batch " + batch + " of tenant " + tenant + " holds item " + item);
                break;
            }
        }
    }

    /** Submits {@code count} single-item callers, some of which cancel their own or a recent call. */
    void runCallers(int count, long seed, Batcher<Long, Long> batcher) {
        SplittableRandom random = new SplittableRandom(seed);
        RecentCallers recent = new RecentCallers();
        for (int i = 0; i < count; i++) {
            long tenant = random.nextInt(TENANTS);
            long item = tenant * 100 + random.nextInt(random.nextInt(ITEMS_PER_TENANT) + 1); // low items are hot
            Caller caller = new Caller(callerIds.incrementAndGet(), item);
            submitted.increment();
            CompletableFuture<List<Long>> future = batcher.submitDistinct(tenant, List.of(List.of(item)));
            future.whenComplete(caller::verify);
            recent.submitted(future, random);
        }
    }

    /** One single-item caller and the outcomes it may have. */
    private final class Caller {
        final int id;
        final long item;
        final AtomicBoolean done = new AtomicBoolean();

        Caller(int id, long item) {
            this.id = id;
            this.item = item;
        }

        void verify(List<Long> value, Throwable error) {
            if (!done.compareAndSet(false, true)) {
                violations.record("caller " + id + " completed twice");
                return;
            }
            completed.increment();
            if (error == null) {
                if (List.of(BatchWorkload.resultOf(item)).equals(value)) {
                    succeeded.increment();
                } else {
                    violations.record("caller " + id + " of item " + item + " got " + value);
                }
            } else if (error instanceof CancellationException) {
                cancelled.increment();
            } else if (error instanceof TimeoutException) {
                timedOut.increment();
            } else if (error instanceof InjectedFault injected) {
                Set<Long> items = failedBatchItems.get((int) injected.callId());
                if (items != null && items.contains(item)) {
                    failedCallers.increment();
                } else {
                    violations.record("caller " + id + " of item " + item + " got the failure of batch "
                            + injected.callId() + ", which holds " + items);
                }
            } else if (error instanceof IllegalStateException && (error.getMessage().contains("results for ")
                    || error.getMessage().contains("null"))) {
                failedCallers.increment();
            } else {
                violations.record("caller " + id + " of item " + item + " got " + error);
            }
        }
    }
}
