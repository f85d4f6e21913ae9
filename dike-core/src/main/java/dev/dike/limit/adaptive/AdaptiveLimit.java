package dev.dike.limit.adaptive;

import dev.dike.limit.CompletionListener;
import dev.dike.limit.JobLimiter;

import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * Makes a {@link JobLimiter}'s limit follow the backend's capacity: it hears every call's end through
 * the limiter's {@link CompletionListener}, collects a window of them, asks the algorithm
 * ({@link LatencyGradient}) for the next limit and sets it with {@link JobLimiter#setLimit}, the same
 * exact machinery as a limit set by hand (it reshares the permits under the limiter's lock). The limiter knows nothing of the algorithm.
 *
 * <pre>{@code
 * AdaptiveLimit adaptive = AdaptiveLimit.create(JobLimiter.builder("backend"), AdaptiveConfig.builder(20).build());
 * JobLimiter limiter = adaptive.limiter();
 * }</pre>
 *
 * <p>Threads and locks: completions arrive on any thread at once. Each adds itself to the current
 * window's striped counters ({@link LongAdder}, so cores do not fight over one counter) without a
 * lock; no completion waits for another. The completion that finds the window over (its time is up
 * and it has {@value #MIN_SAMPLES} samples, or a timeout) tries to take the {@code closing} flag; the
 * one that gets it swaps in a new window, feeds the closed one to the algorithm and sets the limit,
 * and the others carry on. So the algorithm runs on one thread at a time, published from one closer to
 * the next by the flag. A completion that read the window just before the swap may count into the
 * closed one after it was summed: it is lost, one sample in many.
 *
 * <p>A timeout closes its window at once. The one race that matters is with a closer that found too
 * few samples and no drop, and pushes the deadline back: the timeout may count its drop, bring the
 * deadline forward and find the flag taken just before the closer pushes the deadline back. So a
 * closer that pushed a deadline back looks at the window's drops again after it gives up the flag,
 * and closes the window itself if one arrived; the timeout's increment precedes its own attempt on
 * the flag, so either the closer sees the drop or the timeout's completion sees the flag free (or
 * held by a closer that will look again).
 *
 * <p>Calls that succeeded are latency samples, if they were granted under the limit in force (a call
 * granted before the last change is ignored: the window judges the limit it ran under). A failure is a sample only if it was slower than the
 * baseline allows (it proves that slowness); a fast failure is never taken for a fast success, and is
 * ignored like a cancellation. A {@link java.util.concurrent.TimeoutException} is a drop: congestion.
 * Rejections by the limiter, and calls waiting for a permit, show that the limit binds.
 *
 * <p>Sampling: timing a call costs two clock reads, more than the rest of the limiter's work. So once
 * a window sees many calls, only a random one in {@code stride} is timed ({@link #timeCall()}: a
 * volatile read and a thread-local random number), with the stride set by each window's closer from
 * the limiter's {@link JobLimiter#permittedCount()} over the window (read once per window): the
 * largest power of two that still leaves at least {@value #TIMED_PER_WINDOW} timed calls per window
 * at that rate, up to {@value #MAX_STRIDE}; below twice that many calls per window every call is timed,
 * as before sampling. A timed call stands for {@code stride} calls (the stride in force at its grant:
 * its window's, or the previous window's for a call granted before its window opened), in the
 * window's call count and in its mean latency, so Little's law and the latency gradient see the same
 * numbers as with every call timed. An untimed call that succeeds is not reported at all; one that
 * failed or was cancelled is ignored (its latency is unknown, and the timed ones stand for it); one
 * that timed out is a drop like any other: every timeout counts. When the traffic falls, the next
 * window still has timed calls (at least 20 unless it fell more than fifty-fold) and its closer
 * lowers the stride.
 */
public final class AdaptiveLimit implements CompletionListener {

    /** A window is not judged on fewer latency samples than this (unless it had a timeout). */
    static final int MIN_SAMPLES = 20;
    /** Once a window sees twice this many calls, the next one times about this many to twice as many. */
    static final int TIMED_PER_WINDOW = 1024;
    /** The highest sampling stride: one call timed in this many. */
    static final int MAX_STRIDE = 1 << 16;

    private final AdaptiveConfig config;
    private final long windowNanos;
    private final LatencyGradient algorithm;
    /** Decides which calls are timed: a uniform random int per call ({@link ThreadLocalRandom}; seeded in tests). */
    private final IntSupplier random;
    /** Held by the one completion that closes a window and runs the algorithm. */
    private final AtomicBoolean closing = new AtomicBoolean();
    /** The window collecting completions; {@code null} until the first completion starts one. */
    private volatile Window current;
    /**
     * The current window's sampling stride minus 1: a call is timed if a random int has none of these
     * bits set; 0 times every call. Written by the closer, after it installs the window.
     */
    private volatile int sampleMask;
    /** Failures slower than this count as latency samples; written by the closer. */
    private volatile long slowFailureNanos = Long.MAX_VALUE;
    /**
     * When the limit last changed: calls granted before then are not samples, so that each window
     * judges the limit in force (its calls' latency would otherwise lag the limit by one latency, and
     * the limit would overshoot by a step). Written by the closer.
     */
    private volatile long changedAtNanos;
    /** Whether {@link #changedAtNanos} is set: before the first change every call is a sample. */
    private volatile boolean changed;
    private volatile AdaptiveState state;
    /** The limiter's rejection count when the last window closed; guarded by {@code closing}. */
    private long rejectedBefore;
    /** The limiter's permitted count when the last window closed; guarded by {@code closing}. */
    private long permittedBefore;
    /** Set once, before the limiter can run a call. */
    private JobLimiter limiter;
    /** Runs when a closer found too few samples, before it pushes the deadline back: lets tests race it. */
    private final Runnable afterTooFewSamples;

    private AdaptiveLimit(AdaptiveConfig config, Runnable afterTooFewSamples, IntSupplier random) {
        this.config = config;
        this.afterTooFewSamples = afterTooFewSamples;
        this.random = random;
        this.windowNanos = config.window().toNanos();
        this.algorithm = new LatencyGradient(config);
        this.state = snapshot(config.initialLimit());
    }

    /**
     * Builds a limiter whose limit adapts: starts at {@link AdaptiveConfig#initialLimit()} and is then
     * set by this adaptive limit. The builder's limit and completion listener are overwritten; all
     * its other settings (wait, scheduler, executor, listener) apply as they are.
     *
     * @param builder the limiter's builder
     * @param config  the adaptive settings
     * @return the adaptive limit, whose {@link #limiter()} is the limiter
     * @throws IllegalArgumentException if the builder's settings are invalid
     */
    public static AdaptiveLimit create(JobLimiter.Builder builder, AdaptiveConfig config) {
        return create(builder, config, () -> { }, () -> ThreadLocalRandom.current().nextInt());
    }

    /** For tests: {@link #create} with a hook that runs where a closer decides to wait for more samples. */
    static AdaptiveLimit create(JobLimiter.Builder builder, AdaptiveConfig config, Runnable afterTooFewSamples) {
        return create(builder, config, afterTooFewSamples, () -> ThreadLocalRandom.current().nextInt());
    }

    /** For tests: {@link #create} with the random source that picks the timed calls. */
    static AdaptiveLimit createSampling(JobLimiter.Builder builder, AdaptiveConfig config, IntSupplier random) {
        return create(builder, config, () -> { }, random);
    }

    private static AdaptiveLimit create(JobLimiter.Builder builder, AdaptiveConfig config, Runnable afterTooFewSamples,
            IntSupplier random) {
        Objects.requireNonNull(builder, "builder");
        Objects.requireNonNull(config, "config");
        AdaptiveLimit adaptive = new AdaptiveLimit(config, afterTooFewSamples, random);
        adaptive.limiter = builder.limit(config.initialLimit()).completionListener(adaptive).build();
        return adaptive;
    }

    /** @return the limiter whose limit this adapts */
    public JobLimiter limiter() {
        return limiter;
    }

    /** @return the settings */
    public AdaptiveConfig config() {
        return config;
    }

    /** @return the limit in force now and what the algorithm knew when it last decided */
    public AdaptiveState state() {
        AdaptiveState last = state;
        int inForce = limiter.limit();
        return inForce == last.limit() ? last : new AdaptiveState(inForce, last.minLimit(), last.maxLimit(),
                last.slowStart(), last.baselineLatencyMillis(), last.recentLatencyMillis(), last.averageInFlight(),
                last.estimatedQueue(), last.windows());
    }

    /** Times every call at low traffic, a random one in the current stride at high traffic. */
    @Override
    public boolean timeCall() {
        int mask = sampleMask;
        return mask == 0 || (random.getAsInt() & mask) == 0;
    }

    @Override
    public void onCompleted(long grantedNanos, long completedNanos, Outcome outcome) {
        Window window = current;
        if (window == null) {
            startFirstWindow(completedNanos);
            window = current;
        }
        long rtt = completedNanos - grantedNanos;
        Outcome counted = outcome;
        if (outcome != Outcome.TIMEOUT
                && (grantedNanos == UNTIMED || changed && grantedNanos - changedAtNanos < 0)) {
            counted = Outcome.CANCELLED; // not timed, or granted under an older limit: tells nothing about this one
        }
        switch (counted) {
            case SUCCESS -> window.sample(rtt, grantedNanos);
            case FAILURE -> {
                if (rtt > slowFailureNanos) {
                    window.sample(rtt, grantedNanos);
                } else {
                    window.ignored.increment();
                }
            }
            case TIMEOUT -> {
                window.dropped.increment();
                window.deadlineNanos = Math.min(window.deadlineNanos, completedNanos); // judge it now
            }
            case CANCELLED -> window.ignored.increment();
        }
        if (completedNanos - window.deadlineNanos >= 0) {
            close(window, completedNanos);
        }
    }

    private void startFirstWindow(long nowNanos) {
        if (closing.compareAndSet(false, true)) {
            try {
                if (current == null) {
                    rejectedBefore = limiter.rejectedCount();
                    permittedBefore = limiter.permittedCount();
                    current = new Window(nowNanos, nowNanos + windowNanos, 1, 1);
                }
            } finally {
                closing.set(false);
            }
        }
        while (current == null) {
            Thread.onSpinWait(); // another thread is installing it, within a few instructions
        }
    }

    /**
     * Closes {@code window} if it is still the current one and nobody else is closing it; if it has
     * too few samples to judge, pushes its deadline back instead, and then makes sure no timeout that
     * arrived meanwhile goes unheard (see the class comment).
     */
    private void close(Window window, long nowNanos) {
        while (closing.compareAndSet(false, true)) {
            try {
                if (!closeOrPostpone(window, nowNanos)) {
                    return; // closed, or no longer current
                }
            } finally {
                closing.set(false);
            }
            if (window.dropped.sum() == 0 || current != window) {
                return;
            }
            // A timeout counted after we looked, and may have found the flag taken: judge the window now.
        }
    }

    /**
     * Runs holding the {@code closing} flag.
     *
     * @return {@code true} if the window had too few samples and no drop, and its deadline was pushed back
     */
    private boolean closeOrPostpone(Window window, long nowNanos) {
        if (current != window) {
            return false;
        }
        long samples = window.samples.sum();
        long dropped = window.dropped.sum();
        if (samples < MIN_SAMPLES && dropped == 0) {
            afterTooFewSamples.run();
            window.deadlineNanos = nowNanos + windowNanos / 10; // too few to judge: collect a little longer
            return true;
        }
        long permittedNow = limiter.permittedCount();
        int stride = stride(permittedNow - permittedBefore, nowNanos - window.startNanos, windowNanos);
        permittedBefore = permittedNow;
        current = new Window(nowNanos, nowNanos + windowNanos, stride, window.stride);
        sampleMask = stride - 1;
        long rejectedNow = limiter.rejectedCount();
        long rejected = rejectedNow - rejectedBefore;
        rejectedBefore = rejectedNow;
        long calls = samples + window.extraWeight.sum(); // the calls the timed ones stand for
        long rtt = samples == 0 ? 0L : window.rttSum.sum() / calls;
        Sample sample = new Sample(window.startNanos, nowNanos, calls, rtt, window.ignored.sum(), dropped,
                rejected, limiter.waiting(), limiter.limit());
        int next = algorithm.update(sample);
        double baseline = algorithm.baselineNanos();
        slowFailureNanos = Double.isInfinite(baseline) ? Long.MAX_VALUE
                : (long) (baseline * (1.0 + config.tolerance()));
        state = snapshot(next);
        if (next != limiter.limit()) {
            changedAtNanos = nowNanos;
            changed = true;
            limiter.setLimit(next);
        }
        return false;
    }

    /**
     * @param calls         the calls the limiter permitted during a window
     * @param durationNanos how long that window was open
     * @param windowNanos   the configured window
     * @return the sampling stride for the next window: a power of two that leaves at least
     *         {@value #TIMED_PER_WINDOW} timed calls per window at that rate, at most {@value #MAX_STRIDE}
     */
    static int stride(long calls, long durationNanos, long windowNanos) {
        double perWindow = (double) calls * windowNanos / Math.max(1L, durationNanos);
        long stride = (long) (perWindow / TIMED_PER_WINDOW);
        return stride <= 1L ? 1 : (int) Math.min(MAX_STRIDE, Long.highestOneBit(stride));
    }

    /** @return one call in this many is timed now */
    int stride() {
        return sampleMask + 1;
    }

    private AdaptiveState snapshot(int limit) {
        double baseline = algorithm.baselineNanos();
        return new AdaptiveState(limit, algorithm.minLimit(), algorithm.maxLimit(), algorithm.slowStart(),
                Double.isInfinite(baseline) ? 0.0 : baseline / 1e6, algorithm.recentRttNanos() / 1e6,
                algorithm.averageInFlight(), algorithm.estimatedQueue(), algorithm.windows());
    }

    @Override
    public String toString() {
        return "AdaptiveLimit[" + (limiter == null ? "?" : limiter.name()) + ", " + state() + "]";
    }

    /** One window's completions, counted without a lock. */
    private static final class Window {

        final long startNanos;
        /**
         * When the window may close; moved later by the closer (too few samples), and brought forward
         * by any completion that timed out (a plain read-then-write, not atomic: a racing write may win;
         * a closer's push back is made good by its second look at {@link #dropped}, see the class comment).
         */
        volatile long deadlineNanos;
        /** One call granted during this window is timed in this many. */
        final int stride;
        /** The same for the previous window, whose calls may complete in this one. */
        final int strideBefore;
        /** Timed latency samples. */
        final LongAdder samples = new LongAdder();
        /** The calls the samples stand for beyond their own number (0 when every call is timed). */
        final LongAdder extraWeight = new LongAdder();
        /** Sum of the samples' latencies, each times the calls it stands for. */
        final LongAdder rttSum = new LongAdder();
        final LongAdder ignored = new LongAdder();
        final LongAdder dropped = new LongAdder();

        Window(long startNanos, long deadlineNanos, int stride, int strideBefore) {
            this.startNanos = startNanos;
            this.deadlineNanos = deadlineNanos;
            this.stride = stride;
            this.strideBefore = strideBefore;
        }

        /** Counts a timed call, granted at {@code grantedNanos}, as a latency sample. */
        void sample(long rttNanos, long grantedNanos) {
            int weight = grantedNanos - startNanos < 0 ? strideBefore : stride;
            samples.increment();
            if (weight == 1) {
                rttSum.add(rttNanos);
            } else {
                extraWeight.add(weight - 1);
                rttSum.add(rttNanos * weight);
            }
        }
    }
}
