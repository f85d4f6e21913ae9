package dev.dike.limit.adaptive;

import dev.dike.limit.CompletionListener;
import dev.dike.limit.JobLimiter;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

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
 */
public final class AdaptiveLimit implements CompletionListener {

    /** A window is not judged on fewer latency samples than this (unless it had a timeout). */
    static final int MIN_SAMPLES = 20;

    private final AdaptiveConfig config;
    private final long windowNanos;
    private final LatencyGradient algorithm;
    /** Held by the one completion that closes a window and runs the algorithm. */
    private final AtomicBoolean closing = new AtomicBoolean();
    /** The window collecting completions; {@code null} until the first completion starts one. */
    private volatile Window current;
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
    /** Set once, before the limiter can run a call. */
    private JobLimiter limiter;
    /** Runs when a closer found too few samples, before it pushes the deadline back: lets tests race it. */
    private final Runnable afterTooFewSamples;

    private AdaptiveLimit(AdaptiveConfig config, Runnable afterTooFewSamples) {
        this.config = config;
        this.afterTooFewSamples = afterTooFewSamples;
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
        return create(builder, config, () -> { });
    }

    /** For tests: {@link #create} with a hook that runs where a closer decides to wait for more samples. */
    static AdaptiveLimit create(JobLimiter.Builder builder, AdaptiveConfig config, Runnable afterTooFewSamples) {
        Objects.requireNonNull(builder, "builder");
        Objects.requireNonNull(config, "config");
        AdaptiveLimit adaptive = new AdaptiveLimit(config, afterTooFewSamples);
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

    @Override
    public void onCompleted(long grantedNanos, long completedNanos, Outcome outcome) {
        Window window = current;
        if (window == null) {
            startFirstWindow(completedNanos);
            window = current;
        }
        long rtt = completedNanos - grantedNanos;
        Outcome counted = outcome;
        if (changed && grantedNanos - changedAtNanos < 0 && outcome != Outcome.TIMEOUT) {
            counted = Outcome.CANCELLED; // granted under an older limit: tells nothing about this one
        }
        switch (counted) {
            case SUCCESS -> window.sample(rtt);
            case FAILURE -> {
                if (rtt > slowFailureNanos) {
                    window.sample(rtt);
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
                    current = new Window(nowNanos, nowNanos + windowNanos);
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
        current = new Window(nowNanos, nowNanos + windowNanos);
        long rejectedNow = limiter.rejectedCount();
        long rejected = rejectedNow - rejectedBefore;
        rejectedBefore = rejectedNow;
        long rtt = samples == 0 ? 0L : window.rttSum.sum() / samples;
        Sample sample = new Sample(window.startNanos, nowNanos, samples, rtt, window.ignored.sum(), dropped,
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
        final LongAdder samples = new LongAdder();
        final LongAdder rttSum = new LongAdder();
        final LongAdder ignored = new LongAdder();
        final LongAdder dropped = new LongAdder();

        Window(long startNanos, long deadlineNanos) {
            this.startNanos = startNanos;
            this.deadlineNanos = deadlineNanos;
        }

        void sample(long rttNanos) {
            samples.increment();
            rttSum.add(rttNanos);
        }
    }
}
