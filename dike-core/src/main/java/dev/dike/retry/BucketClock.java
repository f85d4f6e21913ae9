package dev.dike.retry;

import dev.dike.time.DelayScheduler;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import java.util.function.LongPredicate;

/**
 * The current bucket of a {@link RetryBudget}, replaced by a timer task at the start of every bucket.
 * Counting a call or deciding a retry then reads one field instead of the clock, whose reading costs
 * more than the rest of a retry decision, and finds there what the budget computed once for the whole
 * bucket (see {@link Bucket}).
 *
 * <p>The timer runs only while the budget is in use: a tick that finds that nothing was counted in
 * the bucket that just ended schedules no further tick, and the next reader, finding no current
 * bucket, reads the clock and starts the timer again. Two kinds of budget have no timer, and their
 * readers read the clock every time: those whose buckets are shorter than
 * {@link #SHORTEST_TICK_NANOS}, and those whose scheduler refused a tick (it was shut down, say).
 *
 * <p>A tick that runs late (its scheduler's thread was busy) leaves the ended bucket current for that
 * long: what is counted meanwhile leaves the window as much earlier. Each tick reads the clock, so a
 * late tick delays no later one.
 */
final class BucketClock {

    private static final VarHandle CURRENT;

    static {
        try {
            CURRENT = MethodHandles.lookup().findVarHandle(BucketClock.class, "current", Bucket.class);
        } catch (ReflectiveOperationException impossible) {
            throw new ExceptionInInitializerError(impossible);
        }
    }

    /** Buckets shorter than this (windows under 10 ms) are read from the clock instead. */
    static final long SHORTEST_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    /**
     * One bucket, as the timer made it current: its number since the clock's origin ({@code epoch}),
     * its index in the budget's array, and the calls and retries counted in the window's other buckets
     * when it began. Those earlier buckets are not read again until the next tick: a count that a
     * thread made in the ended bucket just after the tick appears at the next one.
     */
    static final class Bucket {
        final long epoch;
        final int index;
        final long earlierCalls;
        final long earlierRetries;
        /**
         * Set once this bucket counted {@link RetryBudget#EXACT_CALLS_PER_BUCKET} calls: its calls are
         * sampled from then on, without reading the bucket's count.
         */
        volatile boolean sampling;

        Bucket(long epoch, int index, long earlierCalls, long earlierRetries) {
            this.epoch = epoch;
            this.index = index;
            this.earlierCalls = earlierCalls;
            this.earlierRetries = earlierRetries;
        }
    }

    private final DelayScheduler scheduler;
    private final long bucketNanos;
    private final LongPredicate countedIn;
    private final LongFunction<Bucket> open;
    private final boolean ticks;
    /** The current bucket while the timer runs; {@code null} while it does not. */
    private volatile Bucket current;
    private volatile boolean refused;

    /**
     * @param scheduler   the time source, which also runs the ticks
     * @param bucketNanos the length of a bucket, positive
     * @param countedIn   whether anything was counted in the bucket of that number: the timer stops
     *                    after a bucket in which nothing was
     * @param open        makes the bucket of that number current: computes its {@link Bucket}
     */
    BucketClock(DelayScheduler scheduler, long bucketNanos, LongPredicate countedIn, LongFunction<Bucket> open) {
        this.scheduler = scheduler;
        this.bucketNanos = bucketNanos;
        this.countedIn = countedIn;
        this.open = open;
        this.ticks = bucketNanos >= SHORTEST_TICK_NANOS;
    }

    /**
     * @return the current bucket, or {@code null} if this budget has no timer: then the caller reads
     *         {@link #epochFromClock()}
     */
    Bucket current() {
        Bucket bucket = current;
        return bucket != null ? bucket : start();
    }

    /** @return the current bucket's number, read from the clock */
    long epochFromClock() {
        return Math.floorDiv(scheduler.nanoTime(), bucketNanos);
    }

    /** Starts the timer from the bucket the clock is in, unless one runs or none may. */
    private Bucket start() {
        if (!ticks || refused) {
            return null;
        }
        long nanos = scheduler.nanoTime();
        Bucket bucket = open.apply(Math.floorDiv(nanos, bucketNanos));
        if (CURRENT.compareAndSet(this, null, bucket)) { // one reader starts the timer
            scheduleTick(nanos);
        }
        return bucket; // another reader's start, made at the same moment, holds the same counts
    }

    /** Schedules the next tick at the start of the bucket after the one holding {@code nanos}. */
    private void scheduleTick(long nanos) {
        try {
            scheduler.schedule(this::tick, bucketNanos - Math.floorMod(nanos, bucketNanos), TimeUnit.NANOSECONDS);
        } catch (RuntimeException shutDown) { // RejectedExecutionException, or a scheduler's own kind
            // Every reader reads the clock from now on: slower, and just as right.
            refused = true;
            current = null;
        }
    }

    private void tick() {
        Bucket ended = current;
        if (ended == null) {
            return; // only a scheduler that refused this task and ran it anyway gets here
        }
        long nanos = scheduler.nanoTime();
        long epoch = Math.floorDiv(nanos, bucketNanos);
        if (epoch == ended.epoch || !countedIn.test(ended.epoch)) {
            // Nothing counted for a whole bucket: the next reader starts the timer again. So does a tick that ran
            // before its bucket's end (a scheduler that runs tasks at once), rather than asking again and again.
            current = null;
        } else {
            current = open.apply(epoch);
            scheduleTick(nanos);
        }
    }
}
