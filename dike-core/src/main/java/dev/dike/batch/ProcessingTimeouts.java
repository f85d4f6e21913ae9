package dev.dike.batch;

import dev.dike.time.DelayScheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The processing timeouts of the running batches of one {@link Batcher}, kept with a single timer.
 *
 * <p>Every batch gets the same {@link BatchConfig#maxProcessingTime()} (it cannot change at runtime),
 * so deadlines fall in the order batches were formed: running batches are kept in a list in that
 * order ({@link DeadlineList}), and one timer is armed for the oldest deadline. A batch that ends unlinks itself; the timer
 * times out what has expired and re-arms itself for the next deadline. Scheduling and cancelling a
 * timer per batch instead would take the scheduler's lock twice and, whenever the new timer is the
 * scheduler's earliest, wake its thread: per batch, that cost more than the batch itself.
 *
 * <p>The timer is not cancelled when the last batch ends: it fires once, finds nothing, and stays
 * off until the next batch, so a batcher that went idle holds at most one pending timer, for at most
 * {@code maxProcessingTime}.
 *
 * @param <T> the element type of the batched columns
 * @param <R> the element type of the result
 */
final class ProcessingTimeouts<T, R> {

    private final DelayScheduler scheduler;
    private final Duration maxProcessingTime;
    private final long timeoutNanos;
    /** Running batches by deadline; guarded by this. */
    private final DeadlineList<RunningBatch<T, R>> running = new DeadlineList<>();
    /** Whether a timer is pending; guarded by this. */
    private boolean armed;

    ProcessingTimeouts(DelayScheduler scheduler, Duration maxProcessingTime) {
        this.scheduler = scheduler;
        this.maxProcessingTime = maxProcessingTime;
        this.timeoutNanos = BatchContext.delayNanos(maxProcessingTime);
    }

    /**
     * Starts timing a batch that was just formed.
     *
     * @param now the scheduler's current time
     * @throws RuntimeException if the scheduler refused the timer; the batch is then not timed
     */
    synchronized void watch(RunningBatch<T, R> batch, long now) {
        if (!armed) {
            // No pending timer means no batch is listed: this one has the oldest deadline.
            scheduler.schedule(this::expire, timeoutNanos, TimeUnit.NANOSECONDS);
            armed = true;
        }
        running.add(batch, now + timeoutNanos);
    }

    /** Stops timing a batch that ended; does nothing if it was not (or no longer) timed. */
    synchronized void unwatch(RunningBatch<T, R> batch) {
        running.remove(batch);
    }

    /** @return whether a timer is pending (for tests: the one timer an idle batcher may hold) */
    synchronized boolean armed() {
        return armed;
    }

    /** Runs on the timer thread: times out every expired batch and re-arms for the next deadline. */
    private void expire() {
        List<RunningBatch<T, R>> expired = new ArrayList<>();
        List<RunningBatch<T, R>> untimed = new ArrayList<>();
        RuntimeException refusal = null;
        synchronized (this) {
            long now = scheduler.nanoTime();
            RunningBatch<T, R> batch;
            while ((batch = running.pollExpired(now)) != null) {
                expired.add(batch);
            }
            armed = false;
            if (running.earliest() != null) {
                try {
                    scheduler.schedule(this::expire, running.earliest().deadlineNanos() - now, TimeUnit.NANOSECONDS);
                    armed = true;
                } catch (RuntimeException refused) {
                    // Nothing could time the rest out any more: they fail with the refusal, as a batch
                    // does whose timer is refused when it is formed.
                    refusal = refused;
                    while ((batch = running.poll()) != null) {
                        untimed.add(batch);
                    }
                }
            }
        }
        for (RunningBatch<T, R> batch : expired) {
            batch.timeOut(maxProcessingTime);
        }
        for (RunningBatch<T, R> batch : untimed) {
            batch.refuse(refusal);
        }
    }
}
