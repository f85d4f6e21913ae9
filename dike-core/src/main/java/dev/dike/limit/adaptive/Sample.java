package dev.dike.limit.adaptive;

/**
 * What a limiter observed during one window, the input of {@link LatencyGradient}. Times are on the
 * limiter's clock.
 *
 * @param startNanos  when the window began
 * @param endNanos    when it ended (the completion that closed it)
 * @param samples     the latency samples: calls that succeeded, and calls that failed more slowly than
 *                    the latency the algorithm already knows (a slow failure proves that slowness);
 *                    when only some calls are timed, the number the timed ones stand for
 * @param rttNanos    the samples' mean latency, from permit grant to completion (each weighted by the
 *                    calls it stands for); 0 without samples
 * @param ignored     calls that ended without telling anything about latency: fast failures (a failure
 *                    is never taken for a fast success) and cancellations
 * @param dropped     calls that timed out: congestion, whatever the latency says
 * @param rejected    calls that this limiter rejected: demand beyond the limit
 * @param waiting     calls waiting for a permit at the end of the window: demand beyond the limit
 * @param limit       the limit in force at the end of the window
 */
record Sample(long startNanos, long endNanos, long samples, long rttNanos, long ignored, long dropped,
        long rejected, int waiting, int limit) {

    /** @return the window's length, at least 1 ns */
    long durationNanos() {
        return Math.max(1L, endNanos - startNanos);
    }

    /** @return the mean number of latency samples in flight during the window (Little's law) */
    double averageInFlight() {
        return samples == 0 ? 0.0 : (double) samples * rttNanos / durationNanos();
    }
}
