package dev.dike.sample.demo;

import dev.dike.sample.backend.BackendStats;

/**
 * A target's cumulative counts at one moment, from the backend and the starter's meters; the
 * difference of two snapshots is what happened between them.
 *
 * @param backend         the backend's calls, items, failures and queueing
 * @param retries         retries scheduled by {@code @Retry inventory} ({@code dike.retry.attempts})
 * @param retryCalls      calls through {@code @Retry inventory} that ended ({@code dike.retry.calls})
 * @param budgetExhausted those that ended because the retry budget was spent
 *                        ({@code dike.retry.calls{outcome=budget_exhausted}})
 */
record Counts(BackendStats backend, long retries, long retryCalls, long budgetExhausted) {

    static final String RETRY = "inventory";

    /** @return the target's counts now; exact once no call is running */
    static Counts of(DemoTarget target) {
        return new Counts(target.backend().stats(),
                Math.round(target.count("dike.retry.attempts", "name", RETRY)),
                Math.round(target.count("dike.retry.calls", "name", RETRY)),
                Math.round(target.count("dike.retry.calls", "name", RETRY, "outcome", "budget_exhausted")));
    }

    /**
     * @param earlier a snapshot taken before this one
     * @return what happened between the two snapshots
     */
    Counts since(Counts earlier) {
        return new Counts(backend.since(earlier.backend), retries - earlier.retries,
                retryCalls - earlier.retryCalls, budgetExhausted - earlier.budgetExhausted);
    }

    /** @return backend calls per call through {@code @Retry}: its attempts per call; NaN without calls */
    double attemptsPerRetryCall() {
        return retryCalls == 0 ? Double.NaN : (double) backend.calls() / retryCalls;
    }
}
