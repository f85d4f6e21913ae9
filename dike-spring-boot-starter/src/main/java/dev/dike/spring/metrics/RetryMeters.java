package dev.dike.spring.metrics;

import dev.dike.retry.Retrier;
import dev.dike.retry.RetryBudget;
import dev.dike.retry.RetryListener;
import dev.dike.retry.RetryOutcome;
import io.micrometer.core.instrument.Counter;

import java.time.Duration;

/** The meters of one retrier, looked up once so that recording an event costs no registry lookup. */
final class RetryMeters implements RetryListener {

    static final String CALLS = "dike.retry.calls";
    static final String ATTEMPTS = "dike.retry.attempts";
    static final String BUDGET_LEFT = "dike.retry.budget.left";

    private final Counter[] calls;
    private final Counter retries;

    RetryMeters(MeterFactory meters, String name) {
        RetryOutcome[] outcomes = RetryOutcome.values();
        this.calls = new Counter[outcomes.length];
        for (RetryOutcome outcome : outcomes) {
            calls[outcome.ordinal()] = meters.counter(CALLS, name,
                    "Calls through the retrier, by how they ended", "calls", "outcome", outcome.tagValue());
        }
        this.retries = meters.counter(ATTEMPTS, name,
                "Retries: attempts after the first, counted when scheduled after a failed attempt", "attempts");
    }

    static void bindGauges(MeterFactory meters, Retrier retrier) {
        RetryBudget budget = retrier.budget();
        if (budget != null) {
            meters.gauge(BUDGET_LEFT, retrier.name(), "Retries the retry budget allows now", "retries", budget,
                    RetryBudget::retriesLeft);
        }
    }

    @Override
    public void onRetryScheduled(String name, int failedAttempt, Throwable error, Duration delay) {
        retries.increment();
    }

    @Override
    public void onCompleted(String name, RetryOutcome outcome, int attempts, Throwable error) {
        calls[outcome.ordinal()].increment();
    }
}
