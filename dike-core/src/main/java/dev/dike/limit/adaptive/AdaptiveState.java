package dev.dike.limit.adaptive;

/**
 * A snapshot of an {@link AdaptiveLimit}: the limit in force and what the algorithm knows.
 *
 * @param limit                 the limit the limiter enforces now
 * @param minLimit              the lowest limit the algorithm sets
 * @param maxLimit              the highest limit the algorithm sets
 * @param slowStart             whether the limit still doubles per window (no congestion seen yet)
 * @param baselineLatencyMillis the latency without queueing (lowest recent window mean), in
 *                              milliseconds; 0 before the first window
 * @param recentLatencyMillis   the last window's mean latency, in milliseconds; 0 before the first
 * @param averageInFlight       the last window's mean number of calls in flight
 * @param estimatedQueue        how many of those were queueing at the backend (Little's law)
 * @param windows               the number of windows the algorithm has seen
 */
public record AdaptiveState(int limit, int minLimit, int maxLimit, boolean slowStart, double baselineLatencyMillis,
        double recentLatencyMillis, double averageInFlight, double estimatedQueue, long windows) {
}
