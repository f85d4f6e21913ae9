package dev.dike.spring;

import dev.dike.retry.RetryBudget;
import dev.dike.time.DelayScheduler;

import java.time.Duration;

/**
 * The settings of the {@link RetryBudget} of one retry instance, resolved from
 * {@code dike.retry.instances.<name>.budget.*} and {@code dike.retry.defaults.budget.*}; the
 * {@link DikeRegistry} builds one budget per instance name from it, shared by every method of that name.
 *
 * @param percent             retries allowed per 100 calls within the window, 0 to 100
 * @param minRetriesPerSecond retries allowed per second of the window whatever the traffic
 * @param window              the period over which calls and retries are counted
 */
public record RetryBudgetSpec(double percent, double minRetriesPerSecond, Duration window) {

    /** The defaults: 10 %, 10 retries per second, 10 s (see docs/retry.md). */
    public static final RetryBudgetSpec DEFAULT = new RetryBudgetSpec(RetryBudget.DEFAULT_PERCENT,
            RetryBudget.DEFAULT_MIN_RETRIES_PER_SECOND, RetryBudget.DEFAULT_WINDOW);

    /**
     * @param name  the instance name
     * @param clock the registry's scheduler, which the budget reads time from
     * @return a new budget with these settings
     * @throws IllegalArgumentException naming the invalid attribute and value
     */
    public RetryBudget build(String name, DelayScheduler clock) {
        return RetryBudget.builder(name).percent(percent).minRetriesPerSecond(minRetriesPerSecond).window(window)
                .clock(clock).build();
    }
}
