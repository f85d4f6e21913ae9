package dev.dike.limit.adaptive;

/**
 * The adaptive limit's invariants, defined once: run after every unit test of the algorithm and after
 * every event of the simulation (dike-benchmarks), so the two cannot drift apart.
 */
public final class AdaptiveInvariants {

    private AdaptiveInvariants() {
    }

    /**
     * Checks an adaptive limit and its limiter.
     *
     * @param adaptive the adaptive limit
     * @throws AssertionError naming the broken invariant
     */
    public static void check(AdaptiveLimit adaptive) {
        AdaptiveState state = adaptive.state();
        check(state.limit() == adaptive.limiter().limit(), "the state shows the limit in force", state);
        check(state.minLimit() == adaptive.config().minLimit() && state.maxLimit() == adaptive.config().maxLimit(),
                "the state shows the configured bounds", state);
        check(state.limit() >= state.minLimit() && state.limit() <= state.maxLimit(),
                "minLimit <= limit <= maxLimit", state);
        check(state.baselineLatencyMillis() >= 0 && state.recentLatencyMillis() >= 0,
                "latencies are not negative", state);
        check(state.estimatedQueue() >= 0 && state.estimatedQueue() <= state.averageInFlight() + 1e-9,
                "0 <= estimated queue <= calls in flight", state);
        check(state.windows() == 0 || state.recentLatencyMillis() == 0
                        || state.recentLatencyMillis() + 1e-9 >= state.baselineLatencyMillis(),
                "the baseline is never above the latest window's latency", state);
    }

    /** Checks the algorithm alone. */
    static void check(LatencyGradient algorithm) {
        check(algorithm.limit() >= algorithm.minLimit() && algorithm.limit() <= algorithm.maxLimit(),
                "minLimit <= limit <= maxLimit", algorithm.limit());
        check(algorithm.estimatedQueue() >= 0 && algorithm.estimatedQueue() <= algorithm.averageInFlight() + 1e-9,
                "0 <= estimated queue <= calls in flight", algorithm.estimatedQueue());
        check(algorithm.windows() == 0 || algorithm.recentRttNanos() == 0
                        || algorithm.recentRttNanos() >= algorithm.baselineNanos(),
                "the baseline is never above the latest window's latency", algorithm.baselineNanos());
    }

    private static void check(boolean holds, String invariant, Object state) {
        if (!holds) {
            throw new AssertionError("Adaptive limit invariant broken: " + invariant + "; state " + state);
        }
    }
}
