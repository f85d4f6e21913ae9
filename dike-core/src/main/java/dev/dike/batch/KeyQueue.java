package dev.dike.batch;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The calls of one key that wait for their batch to start, with the flush timer of the oldest one.
 *
 * <p>Every field is guarded by this object's lock. Critical sections only move calls and update
 * counters and flags; they never call the operation, complete a future or call a listener. Whatever
 * follows from a state change (listing the queue as due, forgetting it) happens after the lock is
 * released.
 *
 * <p>Life cycle: the first call arms a timer for {@code maxWaitingTime} (listed with the batcher's
 * {@link FlushTimers}); the queue becomes due when
 * its rows reach the target, when the timer fires, or when the batcher closes, and is then listed
 * with the {@link BatchDispatcher} exactly once. When a slot is free the dispatcher {@link #take takes}
 * one batch from it. A queue left empty retires: it is removed from {@link KeyQueues} and refuses new
 * calls, which then go to a fresh queue.
 *
 * <p>A queue of calls with distinct rows ({@link Batcher#submitDistinct}) counts each distinct row
 * once: {@code rows} is the number of distinct rows queued, kept with a count of the queued calls
 * holding each row. All calls of one queue have the same mode (set by its first call).
 *
 * @param <T> the element type of the batched columns
 * @param <R> the element type of the result
 */
final class KeyQueue<T, R> extends DeadlineList.Entry<KeyQueue<T, R>> {

    /** What happened to a call offered to {@link #add}. */
    enum Admission {
        /** Queued; the queue is waiting for more calls, its timer or a slot. */
        QUEUED,
        /** Queued, and the queue just became due: list it with the dispatcher. */
        DUE,
        /** Not queued: this queue retired; retry with the key's current queue. */
        RETIRED
    }

    private static final Logger LOG = LoggerFactory.getLogger(Batcher.class);

    private final BatchContext<T, R> context;
    private final Object key;
    private final Object mapKey;
    private final ArrayDeque<PendingCall<T, R>> calls = new ArrayDeque<>();
    /** Rows queued; distinct rows in a queue of calls with distinct rows. */
    private int rows;
    private int columnCount;
    private boolean distinct;
    /** For distinct rows: how many queued calls hold each row; {@code null} otherwise. */
    private Map<PendingCall.Row, Integer> rowHolders;
    /** Why the queue is due, or {@code null}; non-null exactly while the queue is listed with the dispatcher. */
    private FlushReason dueReason;
    /** Whether this queue is listed with {@link FlushTimers} for its oldest call. */
    private boolean timerArmed;
    /**
     * Identifies the current listing with {@link FlushTimers}: a firing that collected an older listing
     * and reaches {@link #onTimer} after the queue flushed and was listed again does nothing.
     */
    private long timerGeneration;
    /** The identity of the timer listed with {@link FlushTimers}; guarded by it. */
    long flushGeneration;
    private boolean retired;

    KeyQueue(BatchContext<T, R> context, Object key, Object mapKey) {
        this.context = context;
        this.key = key;
        this.mapKey = mapKey;
    }

    Object mapKey() {
        return mapKey;
    }

    /**
     * Queues a call.
     *
     * @throws IllegalStateException    if the batcher is closed
     * @throws IllegalArgumentException if the call's column count differs from the queued calls'
     */
    Admission add(PendingCall<T, R> call) {
        boolean retiredByClose = false;
        try {
            synchronized (this) {
                // Checked under the lock: close() visits every queue after setting the flag, so no call
                // slips in behind it.
                if (!retired && context.isClosed() && calls.isEmpty()) {
                    retireLocked(); // created for a call that is refused: must not stay behind
                    retiredByClose = true;
                }
                return addLocked(call);
            }
        } finally {
            if (retiredByClose) {
                context.queues().forget(this);
            }
        }
    }

    private Admission addLocked(PendingCall<T, R> call) {
        if (context.isClosed()) {
            throw context.closedException();
        }
        if (retired) {
            return Admission.RETIRED;
        }
        if (calls.isEmpty()) {
            columnCount = call.columnCount();
            distinct = call.distinct();
        } else if (call.columnCount() != columnCount) {
            throw new IllegalArgumentException("Batcher " + context.name() + ": a call with " + call.columnCount()
                    + " columns cannot join a batch of calls with " + columnCount + " columns");
        } else if (call.distinct() != distinct) {
            throw new IllegalArgumentException("Batcher " + context.name() + ": a call " + (distinct ? "without" : "with")
                    + " distinct rows cannot join a batch of calls " + (distinct ? "with" : "without") + " them");
        }
        calls.addLast(call);
        rows += addRows(call);
        context.countQueued(1, call.rows());
        if (dueReason != null) {
            return Admission.QUEUED; // already listed: keeps filling until a slot frees
        }
        BatchConfig config = context.config();
        if (rows >= config.targetBatchSize()) {
            becomeDue(FlushReason.SIZE);
            return Admission.DUE;
        }
        long maxWait = BatchContext.delayNanos(config.maxWaitingTime());
        // A zero wait (only allowed with a cap on batches) is due at once: it forms when a slot is free.
        if (!timerArmed && (maxWait == 0 || !armTimer(call.arrivalNanos() + maxWait))) {
            becomeDue(FlushReason.TIME);
            return Admission.DUE;
        }
        return Admission.QUEUED;
    }

    /** Removes a call whose caller gave up before its batch was formed; does nothing if it was taken. */
    void withdraw(PendingCall<T, R> call) {
        boolean retire;
        synchronized (this) {
            if (!calls.remove(call)) {
                return;
            }
            rows -= removeRows(call);
            context.countQueued(-1, -call.rows());
            retire = calls.isEmpty();
            if (retire) {
                retireLocked();
            }
        }
        if (retire) {
            context.queues().forget(this);
        }
    }

    /** Makes the queue due if its rows reach the (possibly lowered) target. */
    void flushIfFull() {
        flush(false);
    }

    /** Makes the queue due because the batcher closes. */
    void flushForClose() {
        flush(true);
    }

    private void flush(boolean closing) {
        synchronized (this) {
            if (retired || dueReason != null || calls.isEmpty()) {
                return;
            }
            if (!closing && rows < context.config().targetBatchSize()) {
                return;
            }
            becomeDue(closing ? FlushReason.CLOSE : FlushReason.SIZE);
        }
        context.dispatcher().offer(this);
    }

    /**
     * Forms one batch: the oldest calls, in arrival order, until their rows reach the target (callers
     * are never split; a single oversized call goes alone). Calls cancelled meanwhile are skipped.
     * Then the rest is re-evaluated: due again (listed anew), waiting with its own first arrival's
     * timer, or retired if nothing is left.
     *
     * <p>With distinct rows the target counts distinct rows, and once it is reached every later call
     * whose rows are all in the batch already joins it too: it costs the operation nothing.
     *
     * @param now the scheduler's current time
     * @return the batch, or {@code null} if the entry was stale or every caller had cancelled
     */
    RunningBatch<T, R> take(long now) {
        RunningBatch<T, R> batch;
        boolean dueAgain = false;
        boolean retire = false;
        synchronized (this) {
            FlushReason reason = dueReason;
            if (retired || reason == null) {
                return null;
            }
            dueReason = null;
            int target = context.config().targetBatchSize();
            List<PendingCall<T, R>> taken = new ArrayList<>();
            int takenRows = distinct ? takeDistinct(taken, target) : 0;
            while (!distinct && takenRows < target && !calls.isEmpty()) {
                PendingCall<T, R> call = calls.pollFirst();
                if (leave(call)) {
                    taken.add(call);
                    takenRows += call.rows();
                }
            }
            if (calls.isEmpty()) {
                retireLocked();
                retire = true;
            } else {
                dueAgain = scheduleRest(now);
            }
            batch = taken.isEmpty() ? null
                    : new RunningBatch<>(context, key, taken, takenRows, columnCount, reason);
        }
        if (retire) {
            context.queues().forget(this);
        }
        if (dueAgain) {
            context.dispatcher().relist(this);
        }
        return batch;
    }

    /**
     * Takes the calls of a batch with distinct rows: in arrival order until the batch's distinct rows
     * reach the target, then any later call whose rows are all in the batch; the others keep their
     * order in the queue.
     *
     * @return the number of distinct rows of the batch
     */
    private int takeDistinct(List<PendingCall<T, R>> taken, int target) {
        Set<PendingCall.Row> sent = new HashSet<>();
        for (int remaining = calls.size(); remaining > 0; remaining--) {
            PendingCall<T, R> call = calls.pollFirst();
            if (sent.size() < target || allIn(call, sent)) {
                if (leave(call)) {
                    taken.add(call);
                    for (int row = 0; row < call.rows(); row++) {
                        sent.add(call.rowKey(row));
                    }
                }
            } else {
                calls.addLast(call); // a full rotation keeps the arrival order of the calls left
            }
        }
        return sent.size();
    }

    private static boolean allIn(PendingCall<?, ?> call, Set<PendingCall.Row> sent) {
        for (int row = 0; row < call.rows(); row++) {
            if (!sent.contains(call.rowKey(row))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Takes a call polled from {@code calls} out of the figures.
     *
     * @return {@code true} if it joins the batch; {@code false} if its caller cancelled (its completion hook
     *         has not run yet; it will find the call gone)
     */
    private boolean leave(PendingCall<T, R> call) {
        rows -= removeRows(call);
        context.countQueued(-1, -call.rows());
        if (call.future().isDone()) {
            return false;
        }
        call.markTaken();
        return true;
    }

    /** @return how many rows a new call adds to {@code rows}: with distinct rows, only those not queued yet */
    private int addRows(PendingCall<T, R> call) {
        if (!distinct) {
            return call.rows();
        }
        if (rowHolders == null) {
            rowHolders = new HashMap<>();
        }
        int added = 0;
        for (int row = 0; row < call.rows(); row++) {
            if (rowHolders.merge(call.rowKey(row), 1, Integer::sum) == 1) {
                added++;
            }
        }
        return added;
    }

    /** @return how many rows a leaving call takes from {@code rows}: with distinct rows, those no other call holds */
    private int removeRows(PendingCall<T, R> call) {
        if (!distinct) {
            return call.rows();
        }
        int removed = 0;
        for (int row = 0; row < call.rows(); row++) {
            PendingCall.Row rowKey = call.rowKey(row);
            Integer holders = rowHolders.get(rowKey);
            if (holders == null) {
                // Only if a caller changed a value it shares with another queued call, so that they are no
                // longer equal: the figures may count one row too many until the queue retires.
                continue;
            }
            if (holders == 1) {
                rowHolders.remove(rowKey);
                removed++;
            } else {
                rowHolders.put(rowKey, holders - 1);
            }
        }
        return removed;
    }

    /** Decides about the calls left after a batch was taken; returns {@code true} if they are due at once. */
    private boolean scheduleRest(long now) {
        BatchConfig config = context.config();
        long waited = now - calls.getFirst().arrivalNanos();
        long maxWait = BatchContext.delayNanos(config.maxWaitingTime());
        FlushReason reason = null;
        if (context.isClosed()) {
            reason = FlushReason.CLOSE;
        } else if (rows >= config.targetBatchSize()) {
            reason = FlushReason.SIZE;
        } else if (waited >= maxWait || !armTimer(calls.getFirst().arrivalNanos() + maxWait)) {
            reason = FlushReason.TIME;
        }
        dueReason = reason;
        return reason != null;
    }

    /** Called by {@link FlushTimers} on the timer thread once the deadline armed with {@code generation} passed. */
    void onTimer(long generation) {
        synchronized (this) {
            if (retired || dueReason != null || !timerArmed || generation != timerGeneration) {
                return; // flushed by size or close meanwhile: exactly one flush per batch
            }
            timerArmed = false;
            dueReason = FlushReason.TIME;
        }
        context.dispatcher().offer(this);
    }

    /** @return {@code false} if the scheduler refused the timer; the caller then flushes at once */
    private boolean armTimer(long deadlineNanos) {
        long generation = ++timerGeneration;
        try {
            context.flushTimers().arm(this, generation, deadlineNanos);
            timerArmed = true;
            return true;
        } catch (RuntimeException refused) {
            LOG.warn("Scheduler refused the flush timer of batcher {}; flushing at once", context.name(), refused);
            return false;
        }
    }

    private void becomeDue(FlushReason reason) {
        cancelTimer();
        dueReason = reason;
    }

    private void cancelTimer() {
        if (timerArmed) {
            context.flushTimers().disarm(this);
            timerArmed = false;
        }
    }

    private void retireLocked() {
        cancelTimer();
        dueReason = null;
        retired = true;
    }
}
