package dev.dike.limit.adaptive;

/**
 * The adaptive limit's algorithm: from one {@link Sample} per window it decides the next limit. Pure:
 * it owns no thread, lock, clock or callback, takes its time from the samples and is not thread-safe;
 * {@link AdaptiveLimit} calls it from one thread at a time. docs/adaptive.md gives the reasoning.
 *
 * <ul>
 *   <li><b>Baseline.</b> The lowest window mean latency of the last one to two
 *       {@code baselineWindow}s: the latency without queueing. A window's mean (not its fastest
 *       call) is compared with it, so service-time jitter does not read as queueing. It is never
 *       re-measured by holding traffic back: every decrease below drains the queue, and the windows
 *       that follow measure it again.</li>
 *   <li><b>Congestion</b> is a window whose mean latency exceeds the baseline by more than
 *       {@code tolerance}, or that had a timeout.</li>
 *   <li><b>Decrease</b> (congested, and the limit was binding) to the larger of two estimates of
 *       the concurrency the backend serves without queueing: the limit times baseline / latency (the
 *       latency gradient) and throughput times baseline (Little's law). A pause inflates the
 *       latency of the calls it caught but not the throughput of the window that follows, and
 *       empties the window it falls in but not the latency gradient, so no single pause collapses
 *       the limit; and no window cuts it below half. A timeout cuts 10 %.</li>
 *   <li><b>Increase</b> (not congested, and calls were rejected or waiting: demand beyond the
 *       limit): doubling until the first congestion (slow start), then 5 % (at least 1) per window.
 *       Without demand beyond it, the limit is only kept at least six standard deviations of random
 *       arrivals above the mean in flight ({@code m + 6 * sqrt(m)}), so a quiet instance's bursts
 *       are not rejected and the limit does not run far ahead of the load.</li>
 *   <li><b>Binding</b> means calls were rejected or waiting, or 90 % of the limit was in flight on
 *       average. A limit that is not binding is never cut: a quiet instance is never starved, however
 *       noisy its few samples are.</li>
 * </ul>
 *
 * <p>Invariant (checked by the tests' {@code AdaptiveInvariants}): {@code minLimit <= limit <= maxLimit}.
 */
final class LatencyGradient {

    /** Growth per window after slow start, as a fraction of the limit. */
    static final double INCREASE = 0.05;
    /** A window with a timeout cuts the limit to this fraction. */
    static final double DROP_FACTOR = 0.9;
    /** No window cuts the limit below this fraction. */
    static final double MAX_CUT = 0.5;
    /** A limit is binding if calls were held back, or this fraction of it was in flight on average. */
    static final double BINDING = 0.9;
    /**
     * Room kept above the mean number in flight while latency is at its baseline, in standard
     * deviations of the number of random (Poisson) arrivals in flight: bursts of a quiet instance
     * are not rejected.
     */
    static final double HEADROOM_SIGMAS = 6.0;

    private final int minLimit;
    private final int maxLimit;
    private final double tolerance;
    private final long baselineWindowNanos;

    private int limit;
    private boolean slowStart = true;
    /** Lowest window mean latency of the current and the previous baseline window; infinity when none. */
    private double currentMin = Double.POSITIVE_INFINITY;
    private double previousMin = Double.POSITIVE_INFINITY;
    private long epochStartNanos;
    private boolean started;
    private double recentRttNanos;
    private double averageInFlight;
    private long windows;

    LatencyGradient(AdaptiveConfig config) {
        this.minLimit = config.minLimit();
        this.maxLimit = config.maxLimit();
        this.tolerance = config.tolerance();
        this.baselineWindowNanos = config.baselineWindow().toNanos();
        this.limit = config.initialLimit();
    }

    /**
     * Takes one window's observations into account.
     *
     * @param sample what the limiter observed; its {@code limit} is the limit in force, which this
     *               algorithm starts from (the limit may have been set by hand meanwhile)
     * @return the limit to set, within [minLimit, maxLimit]
     */
    int update(Sample sample) {
        windows++;
        limit = clamp(sample.limit());
        boolean demandBeyond = sample.rejected() > 0 || sample.waiting() > 0;
        boolean binding = demandBeyond || sample.averageInFlight() >= BINDING * limit;
        if (sample.samples() == 0) {
            averageInFlight = 0.0;
            if (sample.dropped() > 0 && binding) {
                cut(limit * DROP_FACTOR);
            }
            return limit;
        }
        double rtt = sample.rttNanos();
        rememberBaseline(sample.endNanos(), rtt);
        double baseline = baselineNanos();
        recentRttNanos = rtt;
        averageInFlight = sample.averageInFlight();
        if (sample.dropped() > 0) {
            if (binding) {
                cut(limit * DROP_FACTOR);
            }
        } else if (rtt > baseline * (1.0 + tolerance)) {
            if (binding) {
                double byGradient = limit * baseline / rtt;
                double byThroughput = (double) sample.samples() / sample.durationNanos() * baseline;
                cut(Math.max(byGradient, byThroughput));
            }
        } else if (!demandBeyond) {
            // Nobody held back: keep room for the bursts of random arrivals, and no more, so that the
            // limit does not run far ahead of the load.
            limit = clamp(Math.max(limit, (long) Math.ceil(averageInFlight + HEADROOM_SIGMAS * Math.sqrt(averageInFlight))));
        } else if (slowStart) {
            limit = clamp(2L * limit);
        } else {
            limit = clamp(limit + Math.max(1L, Math.round(limit * INCREASE)));
        }
        return limit;
    }

    /** Lowers the limit towards {@code target}, never raising it and never below half of it. */
    private void cut(double target) {
        slowStart = false;
        long next = Math.round(Math.max(limit * MAX_CUT, target));
        limit = clamp(Math.min(limit, next));
    }

    private void rememberBaseline(long nowNanos, double rtt) {
        if (!started) {
            started = true;
            epochStartNanos = nowNanos;
        } else if (nowNanos - epochStartNanos >= baselineWindowNanos) {
            previousMin = nowNanos - epochStartNanos >= 2 * baselineWindowNanos ? Double.POSITIVE_INFINITY : currentMin;
            currentMin = Double.POSITIVE_INFINITY;
            epochStartNanos = nowNanos;
        }
        currentMin = Math.min(currentMin, rtt);
    }

    private int clamp(long value) {
        return (int) Math.max(minLimit, Math.min(maxLimit, value));
    }

    /** @return the limit decided last */
    int limit() {
        return limit;
    }

    /** @return whether the limit still doubles per window (no congestion seen yet) */
    boolean slowStart() {
        return slowStart;
    }

    /** @return the latency without queueing, in nanoseconds; infinity before the first sample */
    double baselineNanos() {
        return Math.min(currentMin, previousMin);
    }

    /** @return the last window's mean latency, in nanoseconds; 0 before the first sample */
    double recentRttNanos() {
        return recentRttNanos;
    }

    /** @return the last window's mean number of calls in flight */
    double averageInFlight() {
        return averageInFlight;
    }

    /** @return how many of the last window's calls in flight were queueing (Little's law), at least 0 */
    double estimatedQueue() {
        double baseline = baselineNanos();
        if (recentRttNanos <= 0.0 || Double.isInfinite(baseline)) {
            return 0.0;
        }
        return Math.max(0.0, averageInFlight * (1.0 - baseline / recentRttNanos));
    }

    /** @return the number of windows seen */
    long windows() {
        return windows;
    }

    int minLimit() {
        return minLimit;
    }

    int maxLimit() {
        return maxLimit;
    }
}
