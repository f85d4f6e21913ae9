package dev.dike.retry;

import java.util.Locale;

/** How a call through a {@link Retrier} ended; the {@code outcome} tag of {@code dike.retry.calls}. */
public enum RetryOutcome {

    /** The first attempt succeeded. */
    SUCCESS_WITHOUT_RETRY,

    /** An attempt after at least one retry succeeded. */
    SUCCESS_WITH_RETRY,

    /** The only allowed attempt failed with a retryable exception. */
    FAILURE_WITHOUT_RETRY,

    /** The call failed after at least one retry: attempts exhausted or a non-retryable exception. */
    FAILURE_WITH_RETRY,

    /** The first attempt failed with an exception that is never retried. */
    IGNORED,

    /**
     * A failed attempt would have been retried, but the {@link RetryBudget} was spent: the caller got
     * that attempt's exception at once.
     */
    BUDGET_EXHAUSTED;

    /**
     * Returns the metric tag value, e.g. {@code success_with_retry}.
     *
     * @return the lower-case name
     */
    public String tagValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
