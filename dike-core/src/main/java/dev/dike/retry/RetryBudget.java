package dev.dike.retry;

import dev.dike.time.DelayScheduler;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * How many retries the calls of one or more {@link Retrier}s may make together: within the last
 * {@link #window()}, at most {@link #percent()} retries per 100 calls, plus a reserve of
 * {@link #minRetriesPerSecond()} x window retries whatever the traffic. A retry the budget does not
 * allow is not made: the call fails at once with its original exception and ends as
 * {@link RetryOutcome#BUDGET_EXHAUSTED}. So a dependency that fails every call receives
 * {@code 1 + percent/100} times its normal traffic (plus the reserve), instead of {@code attempts}
 * times. Share one budget between every retrier that calls the same dependency.
 *
 * <p>A decision that calls no user code. It reads time from the {@link DelayScheduler} it was built
 * with, so a virtual clock drives it in tests, and runs a short task there once per bucket while it
 * is in use (see below).
 *
 * <p><b>How it counts.</b> The window is cut into {@value #BUCKETS} buckets of {@code window / 10};
 * each bucket is one {@code long} in an {@link AtomicLongArray} holding its epoch (the bucket's number
 * since the clock's origin, low 20 bits), the calls started in it (22 bits) and the retries allowed in
 * it (22 bits). Recording a call or a retry is one compare-and-set on the current bucket, which resets
 * a bucket left over from an older epoch in the same step. Lock-free, and nothing is allocated per call.
 *
 * <p><b>No clock read per call.</b> Reading the clock costs more than the rest of a retry decision.
 * So a timer task on the scheduler makes the next bucket current at the start of each bucket and
 * sums the nine buckets before it once; a call or a retry reads the current bucket from one field
 * and the counts of that bucket alone. The timer stops after a bucket without a call and the next
 * call starts it again from one clock read. A late tick leaves the ended bucket current until it
 * runs; windows under 10 ms, and budgets whose scheduler refused the task, read the clock instead.
 *
 * <p><b>Busy buckets are sampled,</b> which keeps most calls off the shared compare-and-set: a
 * bucket counts its first {@value #EXACT_CALLS_PER_BUCKET} calls one by one, and beyond that one call
 * in {@value #CALL_SAMPLING}, chosen at random by the calling thread, counts as
 * {@value #CALL_SAMPLING} calls; the others cost a random draw and two reads. The count stays right
 * on average; its error is about 8/&radic;n for n sampled calls (8 % at 10,000, 1 % at 640,000).
 * Retries, which a budget rations, are always counted one by one. While no bucket reaches
 * {@value #EXACT_CALLS_PER_BUCKET} calls (calls per second with the default window), every count is
 * exact. Near the budget's edge the sampling shows: a budget at 100 % that every call spends exactly
 * may refuse a retry now and then, once its reserve no longer covers the count's error.
 *
 * <p>Counts saturate at
 * 4,194,303 per bucket, and both saturations err on the side of fewer retries: a call not
 * counted allows no retry, and a retry that finds its bucket's count full is refused. So that the
 * reserve can be spent even within one bucket, {@link Builder#build()} refuses a reserve
 * ({@code minRetriesPerSecond} x window) above 4,194,303 retries. The window slides by one
 * bucket at a time, so it covers between 90 % and 100 % of {@code window}.
 *
 * <p><b>Exactness.</b> Two threads deciding at the same moment may both see the last allowed retry
 * and both take it: the budget can be exceeded by at most the number of threads deciding at once. A
 * lock would make it exact at a cost on every call; a budget is a safety valve, not a quota.
 *
 * <p>When it refuses, it logs one WARN line per window on logger {@code dev.dike.retry}, not one per
 * call.
 */
public final class RetryBudget {

    /** Default {@link #percent()}: 10 retries per 100 calls (see docs/retry.md for the choice). */
    public static final double DEFAULT_PERCENT = 10;
    /** Default {@link #minRetriesPerSecond()}. */
    public static final double DEFAULT_MIN_RETRIES_PER_SECOND = 10;
    /** Default {@link #window()}. */
    public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(10);

    static final int BUCKETS = 10;
    /** The calls a bucket counts one by one before it samples them. */
    static final int EXACT_CALLS_PER_BUCKET = 4096;
    /** Beyond {@link #EXACT_CALLS_PER_BUCKET}, one call in this many is counted, as this many calls. */
    static final int CALL_SAMPLING = 64;
    /** The most calls, and the most retries, one bucket counts; also the largest reserve per window. */
    static final long MAX_COUNT = (1L << 22) - 1;
    private static final int COUNT_BITS = 22;
    private static final long COUNT_MASK = MAX_COUNT;
    private static final int RETRIES_SHIFT = 0;
    private static final int CALLS_SHIFT = COUNT_BITS;
    private static final int EPOCH_SHIFT = 2 * COUNT_BITS;
    private static final long EPOCH_MASK = (1L << (Long.SIZE - EPOCH_SHIFT)) - 1;

    private final String name;
    private final double percent;
    private final double minRetriesPerSecond;
    private final Duration window;
    private final double retriesPerCall;
    private final long reservePerWindow;
    private final AtomicLongArray buckets = new AtomicLongArray(BUCKETS);
    private final BucketClock bucketClock;
    /** The (unmasked) epoch of the last WARN line; one line per window at most. */
    private final AtomicLong warnedEpoch = new AtomicLong(Long.MIN_VALUE / 2);
    private final LongAdder refused = new LongAdder();

    private RetryBudget(Builder builder) {
        this.name = builder.name;
        this.percent = builder.percent;
        this.minRetriesPerSecond = builder.minRetriesPerSecond;
        this.window = builder.window;
        this.retriesPerCall = percent / 100;
        double windowSeconds = window.getSeconds() + window.getNano() / 1e9;
        this.reservePerWindow = (long) (minRetriesPerSecond * windowSeconds); // at most MAX_COUNT: see build()
        long windowNanos = window.getSeconds() >= Long.MAX_VALUE / 1_000_000_000L / 2 ? Long.MAX_VALUE / 2
                : window.toNanos();
        this.bucketClock = new BucketClock(builder.clock, Math.max(1, windowNanos / BUCKETS), this::countedIn, this::open);
    }

    /**
     * Starts a builder holding the defaults (10 %, 10 retries per second, 10 s) and the system clock.
     *
     * @param name the name in the WARN line and the actuator, usually the retry instance's
     * @return a new builder
     */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** @return the name in the WARN line */
    public String name() {
        return name;
    }

    /** @return retries allowed per 100 calls within the window, 0 to 100 */
    public double percent() {
        return percent;
    }

    /** @return retries allowed per second of the window whatever the traffic */
    public double minRetriesPerSecond() {
        return minRetriesPerSecond;
    }

    /** @return the window over which calls and retries are counted */
    public Duration window() {
        return window;
    }

    /** @return the calls started within the window */
    public long callsInWindow() {
        return sum(bucketClock.epochFromClock(), CALLS_SHIFT, 0);
    }

    /** @return the retries made within the window */
    public long retriesInWindow() {
        return sum(bucketClock.epochFromClock(), RETRIES_SHIFT, 0);
    }

    /** @return how many more retries the budget allows now (the budget-left gauge) */
    public long retriesLeft() {
        long epoch = bucketClock.epochFromClock();
        return Math.max(0, allowed(sum(epoch, CALLS_SHIFT, 0)) - sum(epoch, RETRIES_SHIFT, 0));
    }

    /** @return retries refused since the budget was built */
    public long refusedRetries() {
        return refused.sum();
    }

    /** Counts a call: its first attempt is about to be made. */
    void recordCall() {
        BucketClock.Bucket current = bucketClock.current();
        if (current == null) {
            recordCallFromClock();
        } else if (!current.sampling) {
            if (add(current.epoch, current.index, 1, CALLS_SHIFT) >= EXACT_CALLS_PER_BUCKET) {
                current.sampling = true; // once per bucket
            }
        } else if (drawnForSample()) {
            add(current.epoch, current.index, CALL_SAMPLING, CALLS_SHIFT);
        }
    }

    /** {@link #recordCall()} without a timer: the clock says which bucket, the bucket whether it samples. */
    private void recordCallFromClock() {
        long epoch = bucketClock.epochFromClock();
        int index = index(epoch);
        long bucket = buckets.get(index);
        if (!sameEpoch(epoch, bucket) || callsIn(bucket) < EXACT_CALLS_PER_BUCKET) {
            add(epoch, index, 1, CALLS_SHIFT);
        } else if (drawnForSample()) {
            add(epoch, index, CALL_SAMPLING, CALLS_SHIFT);
        }
    }

    /** Whether this call of a busy bucket is the one in {@value #CALL_SAMPLING} that is counted. */
    private static boolean drawnForSample() {
        return (ThreadLocalRandom.current().nextInt() & (CALL_SAMPLING - 1)) == 0;
    }

    /**
     * Decides one retry and, if it is allowed, counts it.
     *
     * @return whether the retry may be made
     */
    boolean tryRetry() {
        BucketClock.Bucket current = bucketClock.current();
        long epoch;
        int index;
        long calls;
        long retries;
        if (current != null) { // the earlier buckets were summed when this one began: only this one is read
            epoch = current.epoch;
            index = current.index;
            long bucket = buckets.get(index);
            boolean counted = sameEpoch(epoch, bucket);
            calls = current.earlierCalls + (counted ? callsIn(bucket) : 0);
            retries = current.earlierRetries + (counted ? retriesIn(bucket) : 0);
        } else {
            epoch = bucketClock.epochFromClock();
            index = index(epoch);
            calls = sum(epoch, CALLS_SHIFT, 0);
            retries = sum(epoch, RETRIES_SHIFT, 0);
        }
        if (retries >= allowed(calls) || add(epoch, index, 1, RETRIES_SHIFT) < 0) {
            refused.increment();
            warnOncePerWindow(epoch, calls, retries);
            return false;
        }
        return true;
    }

    private long allowed(long calls) {
        return (long) (calls * retriesPerCall) + reservePerWindow;
    }

    /** The bucket clock's view of bucket {@code epoch} as it begins. */
    private BucketClock.Bucket open(long epoch) {
        return new BucketClock.Bucket(epoch, index(epoch), sum(epoch, CALLS_SHIFT, 1), sum(epoch, RETRIES_SHIFT, 1));
    }

    /** Whether anything was counted in the bucket of {@code epoch}; the bucket clock asks once per bucket. */
    private boolean countedIn(long epoch) {
        return sameEpoch(epoch, buckets.get(index(epoch)));
    }

    private static int index(long epoch) {
        return (int) Math.floorMod(epoch, (long) BUCKETS);
    }

    /** Whether {@code bucket} holds the counts of {@code epoch}. */
    private static boolean sameEpoch(long epoch, long bucket) {
        return (bucket >>> EPOCH_SHIFT) == (epoch & EPOCH_MASK);
    }

    private static long callsIn(long bucket) {
        return (bucket >>> CALLS_SHIFT) & COUNT_MASK;
    }

    private static long retriesIn(long bucket) {
        return bucket & COUNT_MASK;
    }

    /**
     * Sums one count over the buckets of the epochs {@code epoch - 9} to {@code epoch - fromAge}: the
     * whole window with {@code fromAge} 0, the buckets before the current one with 1.
     */
    private long sum(long epoch, int shift, int fromAge) {
        long current = epoch & EPOCH_MASK;
        long total = 0;
        for (int index = 0; index < BUCKETS; index++) {
            long bucket = buckets.get(index);
            long age = (current - (bucket >>> EPOCH_SHIFT)) & EPOCH_MASK;
            if (age >= fromAge && age < BUCKETS) {
                total += (bucket >>> shift) & COUNT_MASK;
            }
        }
        return total;
    }

    /**
     * Adds {@code amount} to the count at {@code shift} of the epoch's bucket (at {@code index}),
     * resetting the bucket if it holds an older epoch; a count that would pass {@link #MAX_COUNT} stops
     * there.
     *
     * @return the count after the addition, or -1 if it was already saturated and was left as it is
     */
    private long add(long epoch, int index, long amount, int shift) {
        long tag = (epoch & EPOCH_MASK) << EPOCH_SHIFT;
        while (true) {
            long bucket = buckets.get(index);
            long base = (bucket & ~((1L << EPOCH_SHIFT) - 1)) == tag ? bucket : tag;
            long count = (base >>> shift) & COUNT_MASK;
            if (count == COUNT_MASK) {
                return -1;
            }
            long added = Math.min(amount, COUNT_MASK - count);
            if (buckets.compareAndSet(index, bucket, base + (added << shift))) {
                return count + added;
            }
        }
    }

    private void warnOncePerWindow(long epoch, long calls, long retries) {
        long warned = warnedEpoch.get();
        if (epoch - warned >= BUCKETS && warnedEpoch.compareAndSet(warned, epoch) && RetryEvents.LOG.isWarnEnabled()) {
            RetryEvents.LOG.warn("Retry budget of '" + name + "' is spent: " + retries + " retries for " + calls
                    + " calls within the last " + window + " (percent=" + percent + ", min-retries-per-second="
                    + minRetriesPerSecond + "); failed calls are not retried until it refills. Logged once per window.");
        }
    }

    @Override
    public String toString() {
        return "RetryBudget[" + name + ", percent=" + percent + ", minRetriesPerSecond=" + minRetriesPerSecond
                + ", window=" + window + "]";
    }

    /** Builds a {@link RetryBudget}; every value is checked by {@link #build()}. */
    public static final class Builder {

        private final String name;
        private double percent = DEFAULT_PERCENT;
        private double minRetriesPerSecond = DEFAULT_MIN_RETRIES_PER_SECOND;
        private Duration window = DEFAULT_WINDOW;
        private DelayScheduler clock = DelayScheduler.system();

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        /**
         * @param percent retries allowed per 100 calls within the window, 0 to 100; default 10
         * @return this builder
         */
        public Builder percent(double percent) {
            this.percent = percent;
            return this;
        }

        /**
         * @param minRetriesPerSecond retries allowed per second of the window whatever the traffic,
         *                            zero or positive, at most 4,194,303 per window
         *                            in all; default 10
         * @return this builder
         */
        public Builder minRetriesPerSecond(double minRetriesPerSecond) {
            this.minRetriesPerSecond = minRetriesPerSecond;
            return this;
        }

        /**
         * @param window the period over which calls and retries are counted, positive; default 10 s
         * @return this builder
         */
        public Builder window(Duration window) {
            this.window = Objects.requireNonNull(window, "window");
            return this;
        }

        /**
         * @param clock the time source, which also runs the budget's task once per tenth of the window
         *              while the budget is in use; default {@link DelayScheduler#system()} (use the
         *              retriers' scheduler)
         * @return this builder
         */
        public Builder clock(DelayScheduler clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * @return the budget
         * @throws IllegalArgumentException naming the first invalid attribute and its value, or both
         *                                  {@code minRetriesPerSecond} and {@code window} when their
         *                                  product, the reserve, is above 4,194,303
         *                                  retries (a budget that large could never refuse a retry)
         */
        public RetryBudget build() {
            if (!(percent >= 0 && percent <= 100)) {
                throw invalid("percent", percent, "must be between 0 and 100");
            }
            if (!(minRetriesPerSecond >= 0) || Double.isInfinite(minRetriesPerSecond)) {
                throw invalid("minRetriesPerSecond", minRetriesPerSecond, "must be a finite number, zero or positive");
            }
            if (window.isNegative() || window.isZero()) {
                throw invalid("window", window, "must be positive");
            }
            double reserve = minRetriesPerSecond * (window.getSeconds() + window.getNano() / 1e9);
            if (reserve > MAX_COUNT) {
                throw invalid("minRetriesPerSecond x window", minRetriesPerSecond + " x " + window,
                        String.format(Locale.ROOT, "the reserve is %,.0f retries per window, more than the %,d a "
                                + "budget can count; lower minRetriesPerSecond or window", reserve, MAX_COUNT));
            }
            return new RetryBudget(this);
        }

        private IllegalArgumentException invalid(String attribute, Object value, String rule) {
            return new IllegalArgumentException("Invalid retry budget " + attribute + " '" + value + "' of '" + name
                    + "': " + rule);
        }
    }
}
