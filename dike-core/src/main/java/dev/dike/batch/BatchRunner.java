package dev.dike.batch;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs the formed batches of one {@link Batcher} on its executor with as few executor tasks as it
 * takes.
 *
 * <p>A formed batch is queued here; a runner (one executor task) takes batches one after another
 * until none is left. A new runner is started only when no runner is free to take the batch: a
 * runner is busy while it runs user code that may block: the operation's {@code execute()}, and the
 * callers' dependent stages when the result is complete at once and their futures complete there. So fast
 * operations share one thread and one hand-off to the executor for a whole burst of batches (a
 * hand-off per batch costs a thread wake-up, and with many small batches many threads), while an
 * operation that blocks never holds up the batches formed after it: they get another runner.
 *
 * <p>When the operation's result is complete as it returns, its callers are completed by the runner
 * that ran it, so a dependent stage that callers attach without an {@code *Async} variant runs there.
 * The runner counts as busy meanwhile, so a stage that blocks does not hold up the next batches.
 *
 * <p>The executor must run or refuse every task: a task it throws away silently leaves a runner
 * counted that never comes, and the batches queued for it fail only at their processing timeout.
 *
 * <p>Both sides publish first and check second (a batch is queued before the runners are counted; a
 * runner leaves or becomes busy before it looks at the queue again), so a queued batch and a free
 * runner can never miss each other.
 *
 * @param <T> the element type of the batched columns
 * @param <R> the element type of the result
 */
final class BatchRunner<T, R> {

    private static final Logger LOG = LoggerFactory.getLogger(Batcher.class);
    /** One runner in {@link #state}'s high half; the low half counts runners inside user code. */
    private static final long RUNNER = 1L << 32;
    private static final long IN_USER_CODE = 1L;

    private final ConcurrentLinkedQueue<RunningBatch<T, R>> formed = new ConcurrentLinkedQueue<>();
    /** Runners started and not yet left (high half) and those of them inside user code (low half). */
    private final AtomicLong state = new AtomicLong();
    private final Executor executor;
    /** The runner task, made once: under load a runner may be started for nearly every batch. */
    private final Runnable runnerTask = this::takeBatches;

    BatchRunner(Executor executor) {
        this.executor = executor;
    }

    /** Queues a formed batch and makes sure a free runner will take it. */
    void run(RunningBatch<T, R> batch) {
        formed.offer(batch);
        ensureFreeRunner();
    }

    /** Called by a runner right before it calls user code that may block: queued batches must not wait for it. */
    void enterUserCode() {
        long current = state.addAndGet(IN_USER_CODE);
        if (free(current) == 0 && !formed.isEmpty()) {
            ensureFreeRunner();
        }
    }

    /** Called by a runner once that user code returned (or threw). */
    void leaveUserCode() {
        state.addAndGet(-IN_USER_CODE);
    }

    /** @return the number of runners started and not yet left; for tests */
    int runners() {
        return (int) (state.get() >>> 32);
    }

    private void ensureFreeRunner() {
        while (true) {
            long current = state.get();
            if (free(current) > 0) {
                return; // a free runner looks at the queue again before it leaves
            }
            if (state.compareAndSet(current, current + RUNNER)) {
                startRunner();
                return;
            }
        }
    }

    private void startRunner() {
        try {
            executor.execute(runnerTask);
        } catch (RuntimeException | Error refused) { // also "unable to create native thread": the count must not stay
            if ((state.addAndGet(-RUNNER) >>> 32) != 0) {
                return; // a runner is still there (busy now): it takes the queued batches once it is free
            }
            // Nobody is left to run what is queued: its callers fail with the refusal.
            RunningBatch<T, R> batch;
            while ((batch = formed.poll()) != null) {
                batch.refuse(refused);
            }
        }
    }

    private void takeBatches() {
        do {
            RunningBatch<T, R> batch;
            while ((batch = formed.poll()) != null) {
                try {
                    batch.run(this);
                } catch (RuntimeException | Error unexpected) {
                    // run() handles the operation's failures; this is a bug, which must not lose the runner.
                    LOG.error("Batch runner of {} failed", batch.name(), unexpected);
                }
            }
        } while (stayAfterEmptyQueue());
    }

    /** Leaves, unless a batch was queued after the last poll while this runner still counted as free. */
    private boolean stayAfterEmptyQueue() {
        state.addAndGet(-RUNNER);
        while (!formed.isEmpty()) {
            long current = state.get();
            if (free(current) > 0) {
                return false; // that runner will see the batch
            }
            if (state.compareAndSet(current, current + RUNNER)) {
                return true;
            }
        }
        return false;
    }

    private static long free(long state) {
        return (state >>> 32) - (state & 0xFFFF_FFFFL);
    }
}
